// idmapped bind mounts (mounts[].options idmap/ridmap): the parent builds each mapped
// tree before the clone, through a throwaway user namespace that carries the mount's
// mappings (or, without any, the container's own).
import CSkiff
import Glibc
import SkiffOCI

enum IDMap {
    /// A user namespace fd with these mappings, held open after its helper is gone.
    static func userns(uid: [IDMapping], gid: [IDMapping]) throws -> Int32 {
        let helper = skiff_userns_helper()
        if helper < 0 { throw SkiffError("create a user namespace for an idmapped mount: \(errnoText(-helper))") }
        defer {
            Glibc.kill(helper, SIGKILL)
            var st: Int32 = 0
            waitpid(helper, &st, 0)
        }
        try FS.write("/proc/\(helper)/uid_map", ContainerPlan.mapText(uid))
        try FS.write("/proc/\(helper)/gid_map", ContainerPlan.mapText(gid))
        let fd = open("/proc/\(helper)/ns/user", O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SkiffError("open the idmap user namespace: \(errnoText(errno))") }
        return fd
    }

    /// Detached, mapped mount trees for every idmap mount, by mount index.
    static func trees(_ plan: ContainerPlan) throws -> [Int: Int32] {
        var out: [Int: Int32] = [:]
        let linux = plan.spec.linux
        for (i, m) in plan.mounts.enumerated() where m.idmap {
            let cfg = plan.spec.mounts![i]
            var uid = cfg.uidMappings ?? []
            var gid = cfg.gidMappings ?? []
            if uid.isEmpty && gid.isEmpty {
                guard plan.hasNewUserNamespace else {
                    throw SkiffError.config("mounts[\(i)].options", "idmap needs uidMappings/gidMappings or a new user namespace")
                }
                uid = linux?.uidMappings ?? []
                gid = linux?.gidMappings ?? []
            }
            let ns = try userns(uid: uid, gid: gid)
            defer { close(ns) }
            let tree = skiff_idmap_tree(m.source, (m.flags & MS_REC) != 0 ? 1 : 0, ns)
            if tree < 0 {
                throw SkiffError.config("mounts[\(i)]", "idmapped mount of \(m.source): \(errnoText(-tree))")
            }
            out[i] = tree
        }
        return out
    }
}
