import Crypto
import CryptoExtras
import Foundation
import HighLevel
import Testing

@Suite("Webhook signatures")
struct WebhookVerifierTests {
    let signingKey = Curve25519.Signing.PrivateKey()
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    func body(timestamp: Date? = nil, webhookID: String = "wh-1") -> Data {
        let stamp = (timestamp ?? now).formatted(.iso8601)
        return Data(
            #"{"type":"ContactCreate","locationId":"loc-1","id":"c-1","timestamp":"\#(stamp)","webhookId":"\#(webhookID)","postalCode":"78701"}"#
                .utf8
        )
    }

    func verifier(rsa: _RSA.Signing.PublicKey? = nil) -> WebhookVerifier {
        WebhookVerifier(configuration: .init(ed25519PublicKey: signingKey.publicKey, rsaPublicKey: rsa))
    }

    func sign(_ body: Data) throws -> String {
        try signingKey.signature(for: body).base64EncodedString()
    }

    @Test("a correctly signed, fresh webhook is accepted and its id exposed")
    func valid() throws {
        let body = body()
        let webhook = try verifier().verify(body: body, ghlSignature: try sign(body), legacySignature: nil, now: now)
        #expect(webhook.webhookID == "wh-1")
        #expect(webhook.type == "ContactCreate")
        #expect(webhook.locationID == "loc-1")
        #expect(webhook.body == body)
    }

    @Test("a tampered body, a wrong key or garbage is rejected")
    func badSignatures() throws {
        let body = body()
        let signature = try sign(body)
        var tampered = body
        tampered[tampered.count - 3] = UInt8(ascii: "9")
        #expect(throws: WebhookVerificationError(.badSignature, "x-ghl-signature does not match the body")) {
            try verifier().verify(body: tampered, ghlSignature: signature, legacySignature: nil, now: now)
        }
        let stranger = WebhookVerifier(
            configuration: .init(ed25519PublicKey: Curve25519.Signing.PrivateKey().publicKey)
        )
        #expect { try stranger.verify(body: body, ghlSignature: signature, legacySignature: nil, now: now) } throws: {
            ($0 as? WebhookVerificationError)?.code == .badSignature
        }
        #expect {
            try verifier().verify(body: body, ghlSignature: "not base64!", legacySignature: nil, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .badSignature
        }
    }

    @Test("no signature, or no key for it, is rejected")
    func missing() throws {
        #expect { try verifier().verify(body: body(), ghlSignature: nil, legacySignature: nil, now: now) } throws: {
            ($0 as? WebhookVerificationError)?.code == .missingSignature
        }
        let keyless = WebhookVerifier(configuration: .init(ed25519PublicKey: nil, rsaPublicKey: nil))
        #expect {
            try keyless.verify(body: body(), ghlSignature: try sign(body()), legacySignature: nil, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .noKey
        }
    }

    @Test("a body over 2 hours old, over 5 minutes ahead, or undated is rejected; a 10-minute-old retry is not")
    func timestamps() throws {
        let old = body(timestamp: now.addingTimeInterval(-7201))
        #expect {
            try verifier().verify(body: old, ghlSignature: try sign(old), legacySignature: nil, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .stale
        }
        // GHL's 429 retries resend the same body: the sixth comes an hour after the first.
        let recent = body(timestamp: now.addingTimeInterval(-3600))
        #expect(throws: Never.self) {
            try verifier().verify(body: recent, ghlSignature: try sign(recent), legacySignature: nil, now: now)
        }
        let future = body(timestamp: now.addingTimeInterval(301))
        #expect {
            try verifier().verify(body: future, ghlSignature: try sign(future), legacySignature: nil, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .stale
        }
        let undated = Data(#"{"type":"ContactCreate","webhookId":"x"}"#.utf8)
        #expect {
            try verifier().verify(body: undated, ghlSignature: try sign(undated), legacySignature: nil, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .missingTimestamp
        }
    }

    @Test("legacy RSA signatures verify, in the published key's format (SPKI PEM, 4096 bits)")
    func legacyRSA() throws {
        let official = try _RSA.Signing.PublicKey(pemRepresentation: WebhookVerifier.officialRSAPublicKeyPEM)
        #expect(official.keySizeInBits == 4096)

        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits4096)
        let publicKey = try _RSA.Signing.PublicKey(pemRepresentation: privateKey.publicKey.pemRepresentation)
        #expect(privateKey.publicKey.pemRepresentation.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let body = body()
        let signature = try privateKey.signature(for: SHA256.hash(data: body), padding: .insecurePKCS1v1_5)
        let legacy = signature.rawRepresentation.base64EncodedString()
        let webhook = try verifier(rsa: publicKey).verify(
            body: body,
            ghlSignature: nil,
            legacySignature: legacy,
            now: now
        )
        #expect(webhook.webhookID == "wh-1")

        // The same signature is worthless under GHL's real key, and legacy can be turned off.
        #expect {
            try verifier(rsa: official).verify(body: body, ghlSignature: nil, legacySignature: legacy, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .badSignature
        }
        #expect {
            try verifier(rsa: nil).verify(body: body, ghlSignature: nil, legacySignature: legacy, now: now)
        } throws: {
            ($0 as? WebhookVerificationError)?.code == .noKey
        }
        // When x-ghl-signature is present, a valid legacy signature never rescues a bad one.
        #expect {
            try verifier(rsa: publicKey).verify(body: body, ghlSignature: "AAAA", legacySignature: legacy, now: now)
        } throws: { ($0 as? WebhookVerificationError)?.code == .badSignature }
    }
}
