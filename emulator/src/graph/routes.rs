//! Graph's routing table: which handler answers a method and a path under `/v1.0` or `/beta`.
//! Direct requests and `$batch` items both come through [`handle`], so they share every check.

use axum::http::{Method, StatusCode};

use super::response::{Ctx, GResult, GraphError};
use super::{audit, auth, groups, mail, member_of, policy, qr, tap, units, users, Target};
use super::{methods, passkey_policy, reports};

fn seg_is(s: &str, lit: &str) -> bool {
    s.eq_ignore_ascii_case(lit)
}

fn not_allowed() -> GraphError {
    GraphError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

/// Authenticates the caller and runs the handler for `method` and `segs` (`segs[0]` is the
/// version).
pub fn handle(ctx: &Ctx<'_>, method: &Method, segs: &[String]) -> GResult {
    if !matches!(ctx.version.as_str(), "v1.0" | "beta") {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("Invalid version: {}", ctx.version),
        ));
    }
    let caller = auth::authenticate(ctx.st, ctx.headers)?;
    let rest: Vec<&str> = segs[1..].iter().map(String::as_str).collect();
    // Split `/me/...` and `/users/{key}/...` into a target and the remainder.
    let (target, tail): (Option<Target>, &[&str]) = match rest.as_slice() {
        [me, tail @ ..] if seg_is(me, "me") => (Some(Target::Me), tail),
        [users, key, tail @ ..] if seg_is(users, "users") => {
            (Some(Target::User(key.to_string())), tail)
        }
        _ => (None, &[]),
    };
    let get = method == Method::GET;
    if let Some(answer) = issue_16(ctx, &caller, method, target.as_ref(), tail, &rest) {
        return answer;
    }
    match (target, tail) {
        (Some(t), []) => match t {
            _ if !get => Err(not_allowed()),
            Target::Me => users::me(ctx, &caller),
            Target::User(key) => users::get(ctx, &caller, &key),
        },
        (Some(t), [auth, methods])
            if seg_is(auth, "authentication") && seg_is(methods, "methods") =>
        {
            if get {
                tap::all_methods(ctx, &caller, &t)
            } else {
                Err(not_allowed())
            }
        }
        (Some(t), [auth, taps])
            if seg_is(auth, "authentication") && seg_is(taps, "temporaryAccessPassMethods") =>
        {
            match *method {
                Method::GET => tap::list(ctx, &caller, &t),
                Method::POST => tap::create(ctx, &caller, &t),
                _ => Err(not_allowed()),
            }
        }
        (Some(t), [auth, taps, id])
            if seg_is(auth, "authentication") && seg_is(taps, "temporaryAccessPassMethods") =>
        {
            match *method {
                Method::GET => tap::get(ctx, &caller, &t, id),
                Method::DELETE => tap::delete(ctx, &caller, &t, id),
                _ => Err(not_allowed()),
            }
        }
        (Some(t), [rel, cast @ ..])
            if cast.len() <= 1
                && (seg_is(rel, "memberOf") || seg_is(rel, "transitiveMemberOf")) =>
        {
            if !get {
                return Err(not_allowed());
            }
            let cast = match cast.first() {
                None => None,
                Some(c) => Some(member_of::Cast::parse(c).ok_or_else(|| unknown_segment(c))?),
            };
            member_of::list(ctx, &caller, &t, seg_is(rel, "transitiveMemberOf"), cast)
        }
        (Some(t), [check]) if seg_is(check, "checkMemberGroups") => {
            if *method == Method::POST {
                member_of::check_member_groups(ctx, &caller, &t)
            } else {
                Err(not_allowed())
            }
        }
        (Some(t), [send]) if seg_is(send, "sendMail") => {
            if *method == Method::POST {
                mail::send(ctx, &caller, &t)
            } else {
                Err(not_allowed())
            }
        }
        (Some(t), [auth, kind, id @ ..])
            if id.len() <= 1
                && seg_is(auth, "authentication")
                && methods::Kind::parse(kind).is_some() =>
        {
            let Some(kind) = methods::Kind::parse(kind) else {
                return Err(unknown_segment(kind));
            };
            match (method.clone(), id.first()) {
                (Method::GET, None) => methods::list(ctx, &caller, &t, kind),
                (Method::GET, Some(id)) => methods::get(ctx, &caller, &t, kind, id),
                (Method::DELETE, Some(id)) => methods::delete(ctx, &caller, &t, kind, id),
                _ => Err(not_allowed()),
            }
        }
        (Some(_), [first, ..]) => Err(unknown_segment(first)),
        (None, _) => match rest.as_slice() {
            [users] if seg_is(users, "users") => {
                if get {
                    users::list(ctx, &caller)
                } else {
                    Err(not_allowed())
                }
            }
            [g, tail @ ..] if seg_is(g, "groups") => {
                if !get {
                    return Err(not_allowed());
                }
                match tail {
                    [] => groups::list(ctx, &caller),
                    [id] => groups::get(ctx, &caller, id),
                    [id, rel, cast @ ..]
                        if cast.len() <= 1
                            && (seg_is(rel, "members") || seg_is(rel, "transitiveMembers")) =>
                    {
                        let users_only = match cast.first() {
                            None => false,
                            Some(c) if seg_is(c, "microsoft.graph.user") => true,
                            Some(c) => return Err(unknown_segment(c)),
                        };
                        if users_only {
                            member_of::require_advanced_query(ctx)?;
                        }
                        groups::members(
                            ctx,
                            &caller,
                            id,
                            seg_is(rel, "transitiveMembers"),
                            users_only,
                        )
                    }
                    [_, rel, ..] => Err(unknown_segment(rel)),
                }
            }
            [logs, audits, id @ ..]
                if id.len() <= 1
                    && seg_is(logs, "auditLogs")
                    && seg_is(audits, "directoryAudits") =>
            {
                match (get, id.first()) {
                    (false, _) => Err(not_allowed()),
                    (true, None) => audit::list(ctx, &caller),
                    (true, Some(id)) => audit::get(ctx, &caller, id),
                }
            }
            [p, amp, configs, tap]
                if seg_is(p, "policies")
                    && seg_is(amp, "authenticationMethodsPolicy")
                    && seg_is(configs, "authenticationMethodConfigurations")
                    && seg_is(tap, "TemporaryAccessPass") =>
            {
                match *method {
                    Method::GET => policy::get(ctx, &caller),
                    Method::PATCH => policy::patch(ctx, &caller),
                    _ => Err(not_allowed()),
                }
            }
            [r, am, urd, id @ ..]
                if id.len() <= 1
                    && seg_is(r, "reports")
                    && seg_is(am, "authenticationMethods")
                    && seg_is(urd, "userRegistrationDetails") =>
            {
                match (get, id.first()) {
                    (false, _) => Err(not_allowed()),
                    (true, None) => reports::list(ctx, &caller),
                    (true, Some(id)) => reports::get(ctx, &caller, id),
                }
            }
            [p, amp, configs, fido]
                if seg_is(p, "policies")
                    && seg_is(amp, "authenticationMethodsPolicy")
                    && seg_is(configs, "authenticationMethodConfigurations")
                    && seg_is(fido, "fido2") =>
            {
                if get {
                    passkey_policy::fido2(ctx, &caller)
                } else {
                    Err(not_allowed())
                }
            }
            [p, asp, id @ ..]
                if id.len() <= 1
                    && seg_is(p, "policies")
                    && seg_is(asp, "authenticationStrengthPolicies") =>
            {
                if get {
                    passkey_policy::strengths(ctx, &caller, id.first().copied())
                } else {
                    Err(not_allowed())
                }
            }
            [i, ca, pol, id @ ..]
                if id.len() <= 1
                    && seg_is(i, "identity")
                    && seg_is(ca, "conditionalAccess")
                    && seg_is(pol, "policies") =>
            {
                if get {
                    passkey_policy::conditional_access(ctx, &caller, id.first().copied())
                } else {
                    Err(not_allowed())
                }
            }
            [first, ..] => Err(unknown_segment(first)),
            [] => Err(GraphError::bad_request(
                "BadRequest",
                "Resource not found for the segment ''.",
            )),
        },
    }
}

fn unknown_segment(seg: &str) -> GraphError {
    GraphError::bad_request(
        "BadRequest",
        format!("Resource not found for the segment '{seg}'."),
    )
}

/// Issue 16's routes (administrative units, role assignments and schedules, the QR code + PIN
/// method and its policy), tried before the others; `None` when the path is not one of them.
fn issue_16(
    ctx: &Ctx<'_>,
    caller: &auth::Caller,
    method: &Method,
    target: Option<&Target>,
    tail: &[&str],
    rest: &[&str],
) -> Option<GResult> {
    let get = *method == Method::GET;
    let only_get = |f: &dyn Fn() -> GResult| if get { f() } else { Err(not_allowed()) };
    if let Some(t) = target {
        return match tail {
            [rel, cast]
                if seg_is(rel, "memberOf")
                    && seg_is(cast, "microsoft.graph.administrativeUnit") =>
            {
                Some(only_get(&|| units::member_of(ctx, caller, t)))
            }
            [rel] if seg_is(rel, "scopedRoleMemberOf") => {
                Some(only_get(&|| units::scoped_role_member_of(ctx, caller, t)))
            }
            [a, q] if seg_is(a, "authentication") && seg_is(q, "qrCodePinMethod") => {
                Some(match *method {
                    Method::GET => qr::get(ctx, caller, t),
                    Method::PUT => qr::put(ctx, caller, t),
                    Method::DELETE => qr::delete(ctx, caller, t),
                    _ => Err(not_allowed()),
                })
            }
            [a, q, part] if seg_is(a, "authentication") && seg_is(q, "qrCodePinMethod") => {
                if seg_is(part, "pin") {
                    return Some(match *method {
                        Method::PATCH => qr::reset_pin(ctx, caller, t),
                        _ => Err(not_allowed()),
                    });
                }
                let Some(which) = qr::Which::parse(part) else {
                    return Some(Err(unknown_segment(part)));
                };
                Some(match *method {
                    Method::GET => qr::get_code(ctx, caller, t, which),
                    Method::PATCH => qr::patch_code(ctx, caller, t, which),
                    Method::DELETE => qr::delete_code(ctx, caller, t, which),
                    _ => Err(not_allowed()),
                })
            }
            _ => None,
        };
    }
    match rest {
        [d, aus, tail @ ..] if seg_is(d, "directory") && seg_is(aus, "administrativeUnits") => {
            Some(only_get(&|| match tail {
                [] => units::list(ctx, caller),
                [id] => units::get(ctx, caller, id),
                [id, m] if seg_is(m, "members") => units::members(ctx, caller, id, false),
                [id, m, c] if seg_is(m, "members") && seg_is(c, "microsoft.graph.user") => {
                    units::members(ctx, caller, id, true)
                }
                [_, other, ..] => Err(unknown_segment(other)),
            }))
        }
        [rm, dir, what, tail @ ..] if seg_is(rm, "roleManagement") && seg_is(dir, "directory") => {
            let schedule = if seg_is(what, "roleAssignmentScheduleInstances") {
                Some(units::Schedule::Active)
            } else if seg_is(what, "roleEligibilityScheduleInstances") {
                Some(units::Schedule::Eligible)
            } else {
                None
            };
            match (schedule, tail) {
                (None, []) if seg_is(what, "roleAssignments") => {
                    Some(only_get(&|| units::role_assignments(ctx, caller)))
                }
                (Some(which), [f]) => match units::filter_by_current_user_on(f) {
                    Some(on) => Some(only_get(&|| {
                        units::schedule_instances(ctx, caller, which, &on)
                    })),
                    None => Some(Err(unknown_segment(f))),
                },
                _ => Some(Err(unknown_segment(what))),
            }
        }
        [p, amp, configs, qr_id]
            if seg_is(p, "policies")
                && seg_is(amp, "authenticationMethodsPolicy")
                && seg_is(configs, "authenticationMethodConfigurations")
                && seg_is(qr_id, "qrCodePin") =>
        {
            Some(match *method {
                Method::GET => qr::get_policy(ctx, caller),
                Method::PATCH => qr::patch_policy(ctx, caller),
                _ => Err(not_allowed()),
            })
        }
        _ => None,
    }
}
