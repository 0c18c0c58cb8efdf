import Crypto
public import Foundation

/// Signs requests the Standard Webhooks way (https://www.standardwebhooks.com): `webhook-signature` is
/// `v1,` + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")).
public struct WebhookSignature: Sendable {
    private let key: SymmetricKey

    /// - Parameter secret: `whsec_<base64>` (the key is the decoded bytes), or any other text (its UTF-8 bytes).
    public init(secret: String) {
        if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) {
            key = SymmetricKey(data: decoded)
        } else {
            key = SymmetricKey(data: Data(secret.utf8))
        }
    }

    /// The `webhook-signature` header value for a message.
    /// - Parameters:
    ///   - id: The `webhook-id` (the same on every retry of one event, so receivers can de-duplicate).
    ///   - timestamp: The `webhook-timestamp`, whole seconds since 1970.
    public func sign(id: String, timestamp: Int, body: Data) -> String {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
