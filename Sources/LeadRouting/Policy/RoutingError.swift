/// Why a set of locations cannot be routed on.
public struct RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; stable, for callers that map errors (HTTP problem types, exit codes).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Two locations share an id.
        public static let duplicateLocationID = Code("duplicateLocationID")
        /// A location has neither valid coordinates nor a postal code in the reference data.
        public static let unlocatableLocation = Code("unlocatableLocation")
        /// A location's time zone is not an IANA identifier.
        public static let unknownTimeZone = Code("unknownTimeZone")
        /// A capacity, radius or reserve is negative or inconsistent.
        public static let invalidCapacity = Code("invalidCapacity")
    }

    public var code: Code
    /// The location concerned.
    public var locationID: String
    public var message: String

    public init(code: Code, locationID: String, message: String) {
        self.code = code
        self.locationID = locationID
        self.message = message
    }

    public var description: String { "location \(locationID): \(message)" }
}
