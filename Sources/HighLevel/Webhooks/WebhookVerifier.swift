public import Crypto
public import CryptoExtras
public import Foundation

/// Checks that a webhook really comes from GHL: its signature over the raw body, and its age.
///
/// - `x-ghl-signature`: Ed25519, base64, over the raw body. When present it is the only signature considered:
///   a bad one is never rescued by the legacy header.
/// - `x-wh-signature` (legacy): RSA PKCS#1 v1.5 with SHA-256, base64, over the raw body, checked with GHL's
///   published public key unless legacy signatures are turned off.
/// - No signature, no configured key for the signature given, a body without a `timestamp`, a timestamp older
///   than the allowed age or ahead of our clock by more than the allowed skew: rejected. Every failure is a
///   rejection (fail closed).
///
/// The allowed age is long (2 hours) because GHL retries a webhook answered 429 up to 6 times, 10 minutes apart,
/// with the same body and so the same timestamp. Replay protection rests on the `webhookId` instead: the receiver
/// keeps every id it has seen and stores nothing for one seen before.
public struct WebhookVerifier: Sendable {
    /// The keys and limits the verifier works with.
    public struct Configuration: Sendable {
        /// The Ed25519 public key for `x-ghl-signature`; without one, such webhooks are rejected.
        public var ed25519PublicKey: Curve25519.Signing.PublicKey?
        /// The RSA public key for the legacy `x-wh-signature`; `nil` turns legacy signatures off.
        public var rsaPublicKey: _RSA.Signing.PublicKey?
        /// How old a webhook's `timestamp` may be: long enough for GHL's last 429 retry (6 × 10 minutes).
        public var maximumAge: Duration
        /// How far ahead of our clock a `timestamp` may be (clock skew).
        public var maximumSkew: Duration

        public init(
            ed25519PublicKey: Curve25519.Signing.PublicKey? = nil,
            rsaPublicKey: _RSA.Signing.PublicKey? = try? .init(
                pemRepresentation: WebhookVerifier.officialRSAPublicKeyPEM
            ),
            maximumAge: Duration = .seconds(2 * 3600),
            maximumSkew: Duration = .seconds(300)
        ) {
            self.ed25519PublicKey = ed25519PublicKey
            self.rsaPublicKey = rsaPublicKey
            self.maximumAge = maximumAge
            self.maximumSkew = maximumSkew
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Verifies a webhook.
    /// - Parameters:
    ///   - body: The raw request body, exactly as received.
    ///   - ghlSignature: The `x-ghl-signature` header, if any.
    ///   - legacySignature: The `x-wh-signature` header, if any.
    ///   - now: The current time (injected, for tests).
    /// - Returns: The webhook's id, type and time, for de-duplication and dispatch.
    /// - Throws: ``WebhookVerificationError`` saying why it was rejected.
    public func verify(
        body: Data,
        ghlSignature: String?,
        legacySignature: String?,
        now: Date
    ) throws(WebhookVerificationError) -> VerifiedWebhook {
        if let ghlSignature {
            guard let key = configuration.ed25519PublicKey else {
                throw WebhookVerificationError(.noKey, "x-ghl-signature given but no Ed25519 public key is configured")
            }
            guard let signature = Data(base64Encoded: ghlSignature), key.isValidSignature(signature, for: body) else {
                throw WebhookVerificationError(.badSignature, "x-ghl-signature does not match the body")
            }
        } else if let legacySignature {
            guard let key = configuration.rsaPublicKey else {
                throw WebhookVerificationError(.noKey, "legacy x-wh-signature given but legacy signatures are disabled")
            }
            guard let signature = Data(base64Encoded: legacySignature),
                key.isValidSignature(
                    _RSA.Signing.RSASignature(rawRepresentation: signature),
                    for: SHA256.hash(data: body),
                    padding: .insecurePKCS1v1_5
                )
            else {
                throw WebhookVerificationError(.badSignature, "x-wh-signature does not match the body")
            }
        } else {
            throw WebhookVerificationError(.missingSignature, "no x-ghl-signature or x-wh-signature header")
        }

        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch {
            throw WebhookVerificationError(.malformedBody, "the body is not a JSON object with string fields")
        }
        guard let stamp = envelope.timestamp else {
            throw WebhookVerificationError(.missingTimestamp, "the body has no timestamp")
        }
        guard let timestamp = Self.date(from: stamp) else {
            throw WebhookVerificationError(.missingTimestamp, "the timestamp '\(stamp)' is not an ISO 8601 time")
        }
        let age = now.timeIntervalSince(timestamp)
        let limit = configuration.maximumAge.inSeconds
        guard age <= limit else {
            throw WebhookVerificationError(
                .stale,
                "the webhook is \(Int(age)) s old; at most \(Int(limit)) s is accepted"
            )
        }
        guard age >= -configuration.maximumSkew.inSeconds else {
            throw WebhookVerificationError(.stale, "the webhook's timestamp is \(Int(-age)) s in the future")
        }
        return VerifiedWebhook(
            webhookID: envelope.webhookId,
            type: envelope.type,
            locationID: envelope.locationId,
            timestamp: timestamp,
            body: body
        )
    }

    /// The fields every GHL webhook carries that verification and routing need.
    private struct Envelope: Decodable {
        var timestamp: String?
        var webhookId: String?
        var type: String?
        var locationId: String?
    }

    private static func date(from text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// GHL's published public key for the legacy `x-wh-signature` (docs/oauth/WebhookAuthentication.md).
    public static let officialRSAPublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
        Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
        dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
        csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
        uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
        3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
        J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
        IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
        h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
        HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
        PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
        T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
        -----END PUBLIC KEY-----
        """
}
