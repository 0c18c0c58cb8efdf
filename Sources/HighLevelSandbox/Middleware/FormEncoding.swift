import Foundation

/// `application/x-www-form-urlencoded` bodies, as the OAuth endpoints take them.
enum FormEncoding {
    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
    )

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { name, value in
            let name = name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? name
            let value = value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
            return "\(name)=\(value)"
        }
        .joined(separator: "&")
    }

    static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decoded(parts[0]), parts.count == 2 ? decoded(parts[1]) : "")
        }
    }
}
