#!/usr/bin/env python3
"""Regenerates examples/leads-sample.csv: a few hundred realistic leads around examples/franchise-25.csv.

Deterministic (fixed seed). Most leads live near a gym; some are far out of range, some type bad or unknown
codes, a few are Canadian, and some people come back (same email or phone) later in the day.
"""
import csv, math, random, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
zips = {r["zip"]: (float(r["lat"]), float(r["lon"]))
        for r in csv.DictReader(open(root / "Sources/ReferenceGeodata/Resources/us-zip-centroids.csv"))}
gyms = list(csv.DictReader(open(root / "examples/franchise-25.csv")))
offsets = {"America/Chicago": -6, "America/New_York": -5, "America/Phoenix": -7, "America/Denver": -7}

def miles(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))

rng = random.Random(2026)
nearby = {g["id"]: [z for z, p in zips.items() if miles(p, zips[g["postal_code"]]) <= 16] for g in gyms}
first = ["Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Sofia", "Mateo", "Zoe", "Ethan", "Aria", "Leo", "Isla", "Kai"]
last = ["Garcia", "Smith", "Nguyen", "Patel", "Johnson", "Kim", "Lopez", "Brown", "Davis", "Wilson", "Khan", "Reyes"]
sources = ["facebook"] * 5 + ["web-form"] * 3 + ["walk-in"] * 2
rows, people = [], []
for n in range(1, 321):
    kind = rng.random()
    gym = rng.choice(gyms)
    hour = rng.randint(6, 21)
    tz = offsets[gym["timezone"]]
    at = f"2026-11-30T{hour:02d}:{rng.randint(0, 59):02d}:00{tz:+03d}:00"
    name = (rng.choice(first), rng.choice(last))
    email = f"{name[0].lower()}.{name[1].lower()}{n}@example.com"
    phone = f"({rng.randint(201, 989)}) 555-{rng.randint(0, 9999):04d}"
    if kind < 0.78:
        code = rng.choice(nearby[gym["id"]])
    elif kind < 0.86:
        code = rng.choice(list(zips))  # anywhere in the US: mostly out of range
    elif kind < 0.90:
        code = rng.choice(["1234", "abcde", "", "7870", "N/A"])
    elif kind < 0.93:
        code = rng.choice(["00000", "99999", "78799", "30399"])
    elif kind < 0.95:
        code = rng.choice(["M5V 3L9", "K1A 0B1", "T2P 1J9", "V6B 4Y8"])
    else:
        # A repeat: an earlier person comes back, sometimes with a different ZIP, by email or phone.
        if people:
            prev = rng.choice(people)
            code, email, phone = prev["postal_code"], prev["email"].upper(), prev["phone"]
            if rng.random() < 0.5:
                email = ""
        else:
            code = rng.choice(nearby[gym["id"]])
    score = rng.choice([""] * 2 + [str(rng.randint(10, 79)) for _ in range(6)] + [str(rng.randint(80, 100)) for _ in range(2)])
    row = {"id": f"L{n:04d}", "postal_code": code, "score": score, "email": email, "phone": phone,
           "source": rng.choice(sources), "at": at}
    rows.append(row)
    people.append(row)
rows.sort(key=lambda r: r["at"][11:16] + r["id"])  # roughly the order they arrive in during the day
with open(root / "examples/leads-sample.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["id", "postal_code", "score", "email", "phone", "source", "at"])
    w.writeheader()
    w.writerows(rows)
print(f"wrote {len(rows)} leads")
