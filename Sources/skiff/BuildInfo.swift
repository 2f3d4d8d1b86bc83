import CSkiff

enum BuildInfo {
    static var commit: String { String(cString: skiff_commit()) }
    static var libseccomp: String { String(cString: skiff_libseccomp_version()) }
}
