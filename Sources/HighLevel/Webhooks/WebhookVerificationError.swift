/// Why a webhook was rejected.
public struct WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of rejection; stable, for mapping to responses and metrics.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Neither signature header is present.
        public static let missingSignature = Code("missingSignature")
        /// The signature does not match the body (or is not base64).
        public static let badSignature = Code("badSignature")
        /// No key is configured for the kind of signature given.
        public static let noKey = Code("noKey")
        /// The body is not the JSON GHL sends.
        public static let malformedBody = Code("malformedBody")
        /// The body has no (readable) timestamp.
        public static let missingTimestamp = Code("missingTimestamp")
        /// The timestamp is outside the accepted window.
        public static let stale = Code("stale")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "webhook rejected (\(code)): \(message)" }
}
