// skiff's one error type: a sentence for the user, plus the exit code the CLI returns.

public struct SkiffError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }

    /// A config field skiff cannot honour, named by its JSON path.
    public static func config(_ path: String, _ why: String) -> SkiffError {
        SkiffError("\(path): \(why)")
    }

    public static func notSupported(_ what: String) -> SkiffError {
        SkiffError("not supported: \(what)")
    }
}
