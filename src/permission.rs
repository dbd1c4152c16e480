//! The delegated Microsoft Graph permissions the page may ask for: each one's scope name, its
//! published id and why the page needs it, defined once for the sign-in scopes, incremental
//! consent, the setup screen and the registration commands. The bottom layer: it imports nothing.

/// One delegated Graph permission the page may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    /// The scope's value, e.g. `User.Read.All` (qualified with the Graph host when asked for:
    /// [`crate::config::Config::graph_scope`]).
    pub name: &'static str,
    /// Its delegated permission id, as Microsoft publishes it, or `None` where it could not be
    /// checked against Microsoft's list: the commands then look it up by name on the Graph
    /// service principal of the tenant (never a guessed id).
    pub id: Option<&'static str>,
    /// Why the page needs it, in the admin's words.
    pub why: &'static str,
}

/// Finding users.
pub const USER_READ_ALL: Permission = Permission {
    name: "User.Read.All",
    id: Some("a154be20-db9c-4678-8ab7-66f6cc099a59"),
    why: "find users by name, UPN or object ID",
};

/// Reading every sign-in method: the user page and the tracker list every method
/// (`/authentication/methods`), which the narrow `UserAuthMethod-TAP.Read.All` does not cover.
pub const METHODS_READ: Permission = Permission {
    name: "UserAuthenticationMethod.Read.All",
    id: Some("aec28ec7-4d02-4e8c-b864-50163aea77eb"),
    why: "see each user's pass and every sign-in method (the user page, the tracker, pass holders)",
};

/// Reading the TAP policy: the narrowest Graph documents (not `Policy.Read.All`).
pub const POLICY_READ: Permission = Permission {
    name: "Policy.Read.AuthenticationMethod",
    id: Some("a6ff13ac-1851-4993-8ca9-a671d70de2d5"),
    why: "read the tenant's Temporary Access Pass policy so the form stays inside it",
};

/// Creating and deleting passes; asked for only when the admin first does so (incremental
/// consent), unless the sign-in already granted it. Graph's narrow TAP permission: it can write
/// passes and no other sign-in method (`UserAuthenticationMethod.ReadWrite.All` could also
/// delete a user's phone or passkey).
pub const TAP_WRITE: Permission = Permission {
    name: "UserAuthMethod-TAP.ReadWrite.All",
    id: None,
    why: "create and delete passes, and nothing else among sign-in methods (asked for the first time an admin does so)",
};

/// Reading a group's members; asked for only when the admin picks a group.
pub const GROUP_MEMBERS_READ: Permission = Permission {
    name: "GroupMember.Read.All",
    id: Some("bc024368-1153-4739-b217-4326f2e966d0"),
    why:
        "pick a group's members, and check who the policy's groups include (asked for on first use)",
};

/// Sending hand-over messages as the admin; asked for only when wanted.
pub const MAIL_SEND: Permission = Permission {
    name: "Mail.Send",
    id: Some("e383f46e-2787-4529-855e-0e479a3ffac0"),
    why: "send a hand-over message as the signed-in admin (asked for on first use)",
};

/// Changing the TAP policy; asked for only on the Policy screen.
pub const POLICY_WRITE: Permission = Permission {
    name: "Policy.ReadWrite.AuthenticationMethod",
    id: Some("7e823077-d88e-468f-a337-e18f1f0e6c7c"),
    why: "change the Temporary Access Pass policy on the Policy screen (asked for on first use)",
};

/// Reading the directory audit log (the audit trail).
pub const AUDIT_LOG_READ: Permission = Permission {
    name: "AuditLog.Read.All",
    id: Some("e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20"),
    why: "read the audit trail of passes created and deleted (asked for on first use)",
};

/// Graph documents the directory-audit list as needing it with [`AUDIT_LOG_READ`].
pub const DIRECTORY_READ: Permission = Permission {
    name: "Directory.Read.All",
    id: Some("06da0dbc-49e2-44d2-8312-53f166ab848a"),
    why: "the audit trail: Graph documents the directory-audit list as needing it with AuditLog.Read.All",
};

/// Reading the signed-in admin's own role assignments, active and eligible (PIM), with their
/// scopes (issue 16): asked for on first need, only when the sign-in does not already prove a
/// tenant-wide issuing role.
pub const ROLES_READ: Permission = Permission {
    name: "RoleManagement.Read.Directory",
    id: None,
    why: "see which roles you hold and where (administrative units, roles eligible in PIM), when your sign-in lists no tenant-wide role that issues passes (asked for on first need)",
};

/// Reading administrative units: their names and members (issue 16), for an admin whose roles
/// are scoped to units.
pub const UNITS_READ: Permission = Permission {
    name: "AdministrativeUnit.Read.All",
    id: None,
    why: "name your administrative units and find their members, when your roles are scoped to units (asked for on first need)",
};

/// Reading Conditional Access policies (issue 15): the Policy screen's passkey-registration
/// checks look for a policy on registering security information that a pass cannot satisfy.
pub const POLICY_READ_ALL: Permission = Permission {
    name: "Policy.Read.All",
    id: Some("572fea84-0151-49b2-9301-11cb16974376"),
    why: "check whether Conditional Access lets a user with a pass register a passkey, on the Policy screen (asked for on first use)",
};

/// Removing a user's phone method once they registered a passkey (the tracker, issue 15);
/// asked for on first use. Learn "Delete phoneAuthenticationMethod" names this broad
/// permission for other users: it can change every sign-in method, so the page asks for it only
/// when the admin removes a phone.
pub const METHODS_WRITE: Permission = Permission {
    name: "UserAuthenticationMethod.ReadWrite.All",
    id: Some("b7887744-6746-4312-813d-72daeaee7e2d"),
    why: "remove a user's phone method once they registered a passkey (asked for the first time an admin does so)",
};

/// Creating and deleting QR code + PIN badges (issue 16): the narrow permission for this one
/// method, asked for the first time an admin creates or deletes a badge. Learn ("Create
/// qrCodePinAuthenticationMethod") names it beside the broad methods permission, which would
/// also let the page change every other sign-in method.
pub const QR_WRITE: Permission = Permission {
    name: "UserAuthMethod-QR.ReadWrite.All",
    id: None,
    why: "create and delete QR code + PIN badges for frontline workers, on the Badges screen (asked for on first use)",
};

/// Every permission the page may ask for (at sign-in or on first use), so one admin consent
/// covers every screen: the registration commands register these, in this order.
pub const ALL: &[Permission] = &[
    USER_READ_ALL,
    METHODS_READ,
    POLICY_READ,
    TAP_WRITE,
    GROUP_MEMBERS_READ,
    MAIL_SEND,
    POLICY_WRITE,
    AUDIT_LOG_READ,
    DIRECTORY_READ,
    ROLES_READ,
    UNITS_READ,
    POLICY_READ_ALL,
    METHODS_WRITE,
    QR_WRITE,
];

/// What the page asks for at sign-in when the configuration names no `scopes`: reading only.
pub const AT_SIGN_IN: &[Permission] = &[USER_READ_ALL, METHODS_READ, POLICY_READ];

/// Broader permissions Graph documents for the same calls as a narrower one the page asks for:
/// a token holding one of them needs no new consent (a tenant that consented to the broad
/// `UserAuthenticationMethod.ReadWrite.All` before the page moved to the narrow TAP permission
/// keeps working). `(wanted, [held that also serve])`.
const BROADER_PERMISSIONS: &[(&str, &[&str])] = &[
    (TAP_WRITE.name, &["UserAuthenticationMethod.ReadWrite.All"]),
    (
        "UserAuthMethod-TAP.Read.All",
        &[
            TAP_WRITE.name,
            METHODS_READ.name,
            "UserAuthenticationMethod.ReadWrite.All",
        ],
    ),
    (
        METHODS_READ.name,
        &["UserAuthenticationMethod.ReadWrite.All"],
    ),
    (POLICY_READ.name, &[POLICY_WRITE.name]),
    (
        GROUP_MEMBERS_READ.name,
        &["Group.Read.All", DIRECTORY_READ.name],
    ),
    (
        ROLES_READ.name,
        &[
            "RoleManagement.Read.All",
            "RoleManagement.ReadWrite.Directory",
        ],
    ),
    (
        UNITS_READ.name,
        &[
            "AdministrativeUnit.ReadWrite.All",
            DIRECTORY_READ.name,
            "Directory.ReadWrite.All",
        ],
    ),
    (
        POLICY_READ_ALL.name,
        &["Policy.ReadWrite.ConditionalAccess"],
    ),
    (QR_WRITE.name, &[METHODS_WRITE.name]),
];

/// True if and only if a token granted `held` may make the calls `wanted` is asked for: the
/// same permission (any case) or a broader one Graph documents for those calls.
pub fn serves(held: &str, wanted: &str) -> bool {
    held.eq_ignore_ascii_case(wanted)
        || BROADER_PERMISSIONS.iter().any(|(w, broader)| {
            w.eq_ignore_ascii_case(wanted) && broader.iter().any(|b| b.eq_ignore_ascii_case(held))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broader_permission_serves_the_narrow_one_and_never_the_reverse() {
        let write = TAP_WRITE.name;
        assert!(serves("UserAuthenticationMethod.ReadWrite.All", write));
        assert!(serves("userauthmethod-tap.readwrite.all", write));
        assert!(!serves(write, "UserAuthenticationMethod.ReadWrite.All"));
        assert!(!serves("UserAuthenticationMethod.Read.All", write));
        assert!(serves(
            POLICY_WRITE.name,
            "Policy.Read.AuthenticationMethod"
        ));
        assert!(!serves(
            "Policy.Read.All",
            "Policy.Read.AuthenticationMethod"
        ));
        assert!(serves("Directory.Read.All", GROUP_MEMBERS_READ.name));
    }

    #[test]
    fn every_permission_is_listed_once_and_sign_in_only_reads() {
        for (i, p) in ALL.iter().enumerate() {
            assert!(
                ALL[i + 1..].iter().all(|q| q.name != p.name),
                "{} twice",
                p.name
            );
            assert!(!p.why.is_empty());
        }
        assert!(AT_SIGN_IN.iter().all(|p| ALL.contains(p)));
        assert!(AT_SIGN_IN.iter().all(|p| p.name.contains(".Read.")));
    }
}
