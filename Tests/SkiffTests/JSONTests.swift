import XCTest
@testable import SkiffOCI

final class JSONTests: XCTestCase {
    func parse(_ s: String) throws -> JSON { try JSONParser.parse(Array(s.utf8)) }

    func testScalarsAndNesting() throws {
        XCTAssertEqual(try parse(" true "), .bool(true))
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse("-12.5e3"), .number("-12.5e3"))
        XCTAssertEqual(try parse(#"[1,[],{}]"#), .array([.number("1"), .array([]), .object([:], order: [])]))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\né😀"))
    }

    func testErrors() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "1 2", "{\"a\":1,}", "\"\u{1}\""] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
    }

    func testDeepNestingIsRefused() {
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 10000)))
    }

    func testIntegersMustFit() {
        struct U: Decodable { var v: UInt8 }
        XCTAssertThrowsError(try JSONDecoding.decode(U.self, from: Array(#"{"v":300}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoding.decode(U.self, from: Array(#"{"v":-1}"#.utf8)))
        XCTAssertEqual(try JSONDecoding.decode(U.self, from: Array(#"{"v":2.0}"#.utf8)).v, 2)
    }

    func testRoundTripOfAConfig() throws {
        let spec = try ConfigDecoder.decode(Spec.self, from: Array(fullExample.utf8))
        let text = try JSONEncoding.encode(spec, pretty: true)
        let again = try ConfigDecoder.decode(Spec.self, from: Array(text.utf8))
        XCTAssertEqual(spec, again)
        XCTAssertEqual(try JSONEncoding.encode(spec), try JSONEncoding.encode(again))
    }

    func testEncodingIsSortedAndEscaped() throws {
        XCTAssertEqual(try JSONEncoding.encode(["b": "x\"y", "a": "\u{1}"]), #"{"a":"\u0001","b":"x\"y"}"#)
        XCTAssertEqual(try JSONEncoding.encode([Int32(-1), 2]), "[-1,2]")
        XCTAssertEqual(try JSONEncoding.encode([String: Int]()), "{}")
        XCTAssertEqual(try JSONEncoding.encode(["k": [1]], pretty: true), "{\n  \"k\": [\n    1\n  ]\n}")
    }

    func testDuplicateKeysKeepTheLast() throws {
        struct A: Decodable { var a: Int }
        XCTAssertEqual(try JSONDecoding.decode(A.self, from: Array(#"{"a":1,"a":2}"#.utf8)).a, 2)
    }
}
