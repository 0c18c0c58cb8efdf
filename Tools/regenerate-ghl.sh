#!/usr/bin/env bash
# Regenerates everything derived from GHL's official OpenAPI specs:
#   Specs/ghl-openapi/*            (copied, unchanged; see SOURCE.md)
#   -> Specs/generated/ghl-switchboard.json        (Tools/preprocess-ghl-specs.py: filter, bundle, merge, overlay)
#   -> Specs/generated/ghl-switchboard-v3.json     (the same operations from the v3 specs; checks v3 traffic)
#   -> Sources/HighLevel/Generated/*.swift          (types + client, internal)
#   -> Sources/HighLevelSandbox/Generated/*.swift   (types + server, internal)
#   -> Sources/HighLevelSandbox/Resources/ghl-switchboard*.json (both specs, read by the sandbox at run time)
# The output is committed; CI runs this and fails if anything changes.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 Tools/preprocess-ghl-specs.py
swift build -c release --package-path Tools --product swift-openapi-generator >/dev/null
generator="$(swift build -c release --package-path Tools --show-bin-path)/swift-openapi-generator"
spec=Specs/generated/ghl-switchboard.json
mkdir -p Sources/HighLevel/Generated Sources/HighLevelSandbox/Generated
"$generator" generate --config Tools/openapi/client.yaml --output-directory Sources/HighLevel/Generated "$spec"
"$generator" generate --config Tools/openapi/server.yaml --output-directory Sources/HighLevelSandbox/Generated "$spec"
# The sandbox also reads the spec at run time, to refuse body fields GHL does not know (422).
cp "$spec" Sources/HighLevelSandbox/Resources/ghl-switchboard.json
cp Specs/generated/ghl-switchboard-v3.json Sources/HighLevelSandbox/Resources/ghl-switchboard-v3.json
echo "regenerated GHL client and sandbox code from $spec"
