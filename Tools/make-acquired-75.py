#!/usr/bin/env python3
"""Writes examples/acquired-75.csv: the 75 acquired gyms, in and around the franchise's 5 states and 6 new ones.

Real ZIP codes (checked against the shipped ZCTA centroids); addresses, phones and e-mails are made up."""
import csv, sys

GYMS = [
    # (id, city, state, zip, tz)
    ("sa-pearl", "San Antonio", "TX", "78215", "America/Chicago"), ("sa-stone-oak", "San Antonio", "TX", "78258", "America/Chicago"),
    ("sa-medical", "San Antonio", "TX", "78229", "America/Chicago"), ("elp-westside", "El Paso", "TX", "79912", "America/Denver"),
    ("fw-sundance", "Fort Worth", "TX", "76102", "America/Chicago"), ("plano-legacy", "Plano", "TX", "75024", "America/Chicago"),
    ("frisco", "Frisco", "TX", "75034", "America/Chicago"), ("arlington-tx", "Arlington", "TX", "76011", "America/Chicago"),
    ("katy", "Katy", "TX", "77494", "America/Chicago"), ("the-woodlands", "The Woodlands", "TX", "77380", "America/Chicago"),
    ("galveston", "Galveston", "TX", "77550", "America/Chicago"), ("waco", "Waco", "TX", "76701", "America/Chicago"),
    ("lubbock", "Lubbock", "TX", "79401", "America/Chicago"), ("corpus-christi", "Corpus Christi", "TX", "78401", "America/Chicago"),
    ("san-marcos", "San Marcos", "TX", "78666", "America/Chicago"), ("georgetown-tx", "Georgetown", "TX", "78626", "America/Chicago"),
    ("fort-lauderdale", "Fort Lauderdale", "FL", "33301", "America/New_York"), ("boca-raton", "Boca Raton", "FL", "33432", "America/New_York"),
    ("west-palm", "West Palm Beach", "FL", "33401", "America/New_York"), ("sarasota", "Sarasota", "FL", "34236", "America/New_York"),
    ("naples", "Naples", "FL", "34102", "America/New_York"), ("fort-myers", "Fort Myers", "FL", "33901", "America/New_York"),
    ("gainesville", "Gainesville", "FL", "32601", "America/New_York"), ("tallahassee", "Tallahassee", "FL", "32301", "America/New_York"),
    ("pensacola", "Pensacola", "FL", "32502", "America/Chicago"), ("daytona", "Daytona Beach", "FL", "32114", "America/New_York"),
    ("lakeland", "Lakeland", "FL", "33801", "America/New_York"), ("clearwater", "Clearwater", "FL", "33755", "America/New_York"),
    ("athens-ga", "Athens", "GA", "30601", "America/New_York"), ("macon", "Macon", "GA", "31201", "America/New_York"),
    ("augusta", "Augusta", "GA", "30901", "America/New_York"), ("columbus-ga", "Columbus", "GA", "31901", "America/New_York"),
    ("roswell-ga", "Roswell", "GA", "30075", "America/New_York"), ("sandy-springs", "Sandy Springs", "GA", "30328", "America/New_York"),
    ("kennesaw", "Kennesaw", "GA", "30144", "America/New_York"), ("chandler", "Chandler", "AZ", "85225", "America/Phoenix"),
    ("gilbert", "Gilbert", "AZ", "85234", "America/Phoenix"), ("glendale-az", "Glendale", "AZ", "85301", "America/Phoenix"),
    ("peoria-az", "Peoria", "AZ", "85345", "America/Phoenix"), ("flagstaff", "Flagstaff", "AZ", "86001", "America/Phoenix"),
    ("prescott", "Prescott", "AZ", "86301", "America/Phoenix"), ("yuma", "Yuma", "AZ", "85364", "America/Phoenix"),
    ("lakewood-co", "Lakewood", "CO", "80226", "America/Denver"), ("littleton", "Littleton", "CO", "80120", "America/Denver"),
    ("pueblo", "Pueblo", "CO", "81003", "America/Denver"), ("grand-junction", "Grand Junction", "CO", "81501", "America/Denver"),
    ("greeley", "Greeley", "CO", "80631", "America/Denver"), ("westminster-co", "Westminster", "CO", "80031", "America/Denver"),
    ("charlotte-uptown", "Charlotte", "NC", "28202", "America/New_York"), ("raleigh", "Raleigh", "NC", "27601", "America/New_York"),
    ("durham", "Durham", "NC", "27701", "America/New_York"), ("greensboro", "Greensboro", "NC", "27401", "America/New_York"),
    ("asheville", "Asheville", "NC", "28801", "America/New_York"), ("wilmington-nc", "Wilmington", "NC", "28401", "America/New_York"),
    ("nashville-gulch", "Nashville", "TN", "37203", "America/Chicago"), ("franklin-tn", "Franklin", "TN", "37064", "America/Chicago"),
    ("knoxville", "Knoxville", "TN", "37902", "America/New_York"), ("chattanooga", "Chattanooga", "TN", "37402", "America/New_York"),
    ("memphis", "Memphis", "TN", "38103", "America/Chicago"), ("las-vegas-strip", "Las Vegas", "NV", "89109", "America/Los_Angeles"),
    ("henderson", "Henderson", "NV", "89052", "America/Los_Angeles"), ("reno", "Reno", "NV", "89501", "America/Los_Angeles"),
    ("slc-downtown", "Salt Lake City", "UT", "84101", "America/Denver"), ("provo", "Provo", "UT", "84601", "America/Denver"),
    ("ogden", "Ogden", "UT", "84401", "America/Denver"), ("st-george", "St. George", "UT", "84770", "America/Denver"),
    ("abq-nob-hill", "Albuquerque", "NM", "87106", "America/Denver"), ("santa-fe", "Santa Fe", "NM", "87501", "America/Denver"),
    ("las-cruces", "Las Cruces", "NM", "88001", "America/Denver"), ("okc-bricktown", "Oklahoma City", "OK", "73104", "America/Chicago"),
    ("tulsa", "Tulsa", "OK", "74103", "America/Chicago"), ("norman", "Norman", "OK", "73069", "America/Chicago"),
    ("edmond", "Edmond", "OK", "73034", "America/Chicago"), ("midland-tx", "Midland", "TX", "79701", "America/Chicago"),
    ("amarillo", "Amarillo", "TX", "79101", "America/Chicago"),
]

def main():
    known = {row["zip"] for row in csv.DictReader(open(sys.argv[1]))}
    assert len(GYMS) == 75, len(GYMS)
    out = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
    out.writerow(["id", "name", "postal_code", "status", "daily_capacity", "weekly_capacity", "radius_miles", "priority",
                  "reserved_for_hot", "timezone", "hours", "address", "city", "state", "country", "phone", "email",
                  "website", "snapshot"])
    for index, (gym, city, state, zip_code, tz) in enumerate(GYMS):
        assert zip_code in known, zip_code
        name = f"Summit Strength {city}" + ("" if sum(1 for g in GYMS if g[1] == city) == 1 else f" {gym.split('-')[-1].title()}")
        daily = [20, 25, 30, 35][index % 4]
        out.writerow([gym, name, zip_code, "onboarding", daily, daily * 5, 25, 1, 3, tz,
                      "mon-fri 05:00-22:00; sat-sun 07:00-19:00", f"{100 + index * 7} Main St", city, state, "US",
                      f"+1555{2000000 + index:07d}", f"{gym}@summitstrength.example", f"https://summitstrength.example/{gym}",
                      "snap-franchise-standard"])

main()
