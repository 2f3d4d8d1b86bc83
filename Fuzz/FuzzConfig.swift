// libFuzzer entry point: config.json bytes → decoder → validator → plan building.
// Built by `make fuzz` with `swiftc -sanitize=fuzzer` together with SkiffOCI's sources.
// A crash, a hang or a rejection without a JSON path is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let spec = try ConfigDecoder.decode(Spec.self, from: bytes)
        for p in Validator.validate(spec) where p.path.isEmpty || p.message.isEmpty {
            fatalError("a problem without a JSON path: \(p)")
        }
        // Re-encoding and decoding again must give the same config.
        let text = try JSONEncoding.encode(spec)
        let again = try ConfigDecoder.decode(Spec.self, from: Array(text.utf8))
        if again != spec { fatalError("round trip changed the config: \(text)") }
    } catch let e as SkiffError {
        // Every rejection names where: "config.json: <path>: …" or the parse position.
        if !e.message.hasPrefix("config.json: ") { fatalError("rejection without a location: \(e.message)") }
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
