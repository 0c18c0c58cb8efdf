import Foundation
import Notifications
import Testing

@Suite("Standard Webhooks signatures")
struct WebhookSignatureTests {
    @Test("Signs the Standard Webhooks reference message as the specification's reference libraries do")
    func referenceVector() {
        // The example of the Standard Webhooks reference implementations (secret, id, timestamp, body, signature).
        let signature = WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"test": 2432232314}"#.utf8)
        #expect(
            signature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        )
    }

    @Test("Any change to the id, the timestamp, the body or the secret changes the signature")
    func signatureCoversEverything() {
        let body = Data(#"{"type":"lead.routed"}"#.utf8)
        let base = WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(
            id: "a",
            timestamp: 1,
            body: body
        )
        let variants = [
            WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(id: "b", timestamp: 1, body: body),
            WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(id: "a", timestamp: 2, body: body),
            WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(
                id: "a",
                timestamp: 1,
                body: Data(#"{"type":"lead.routes"}"#.utf8)
            ),
            WebhookSignature(secret: "plain-text-secret").sign(id: "a", timestamp: 1, body: body),
        ]
        #expect(variants.allSatisfy { $0 != base && $0.hasPrefix("v1,") })
    }
}
