//! The tenant's time zone: an IANA name (`Europe/Lisbon`; `UTC` until the
//! tenant picks one) in which the dashboard shows times and in which
//! people give them — a scheduled message's time, a broadcast's start.
//!
//! The zone database is bundled with the server (jiff's copy of the IANA
//! database), so every node reads the same rules whatever the host's
//! tzdata says.
//!
//! Wall time is written `YYYY-MM-DDTHH:MM` (what an HTML
//! `datetime-local` input sends; `:SS` may follow). Turning it into an
//! instant uses the disambiguation Temporal calls `"compatible"` (as
//! `java.time` and most calendars do):
//! - in a **gap** (clocks jump forward: 02:30 does not exist on the
//!   spring-forward night in New York), the time is moved forward by the
//!   gap's length: 02:30 is read as 03:30 (after the jump);
//! - in an **overlap** (clocks go back: 01:30 happens twice on the
//!   fall-back night), the earlier of the two instants is taken (01:30
//!   still in daylight time).

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, Timestamp};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::json;
use store::TenantTx;

/// A tenant's zone until it picks one.
pub const DEFAULT_ZONE: &str = "UTC";

/// The zone named `name` (any case), or a 422 on `field`.
fn zone(name: &str, field: &str) -> AppResult<TimeZone> {
    let name = name.trim();
    let found = TimeZone::get(name).ok().filter(|tz| !tz.is_unknown());
    found.ok_or_else(|| {
        AppError::validation(
            field,
            format!(
                "`{name}` is not an IANA time zone (such as Europe/Lisbon or America/New_York)"
            ),
        )
    })
}

/// Checks an IANA zone name; answers its canonical spelling
/// (`europe/paris` → `Europe/Paris`). Unknown names are a 422 on
/// `time_zone`.
pub fn check_zone(name: &str) -> AppResult<String> {
    let tz = zone(name, "time_zone")?;
    Ok(tz.iana_name().unwrap_or(name.trim()).to_owned())
}

/// Every zone name the server knows, sorted (for the dashboard's picker).
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .collect();
    names.sort();
    names
}

/// The instant of wall time `local` (`YYYY-MM-DDTHH:MM`, optionally
/// `:SS`) in `zone`, resolving DST gaps and overlaps as the module says.
/// A malformed time or an unknown zone is a 422 on `local_time`.
pub fn parse_local(zone_name: &str, local: &str) -> AppResult<Timestamp> {
    let tz = zone(zone_name, "time_zone")?;
    let bad = || AppError::validation("local_time", "write the time as YYYY-MM-DDTHH:MM");
    let local = local.trim();
    let format = match local.len() {
        16 => "%Y-%m-%dT%H:%M",
        19 => "%Y-%m-%dT%H:%M:%S",
        _ => return Err(bad()),
    };
    let wall = DateTime::strptime(format, local).map_err(|_| bad())?;
    let instant = tz.to_timestamp(wall).map_err(|_| bad())?;
    Ok(Timestamp::from_millis(instant.as_millisecond()))
}

/// `at` as wall time in `zone`, `YYYY-MM-DDTHH:MM` (what [`parse_local`]
/// reads back, and what a `datetime-local` input shows). An unknown zone
/// shows UTC.
pub fn format_local(zone_name: &str, at: Timestamp) -> String {
    let (_, wall) = wall(zone_name, at);
    wall.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// `at` for people: `2025-03-30 09:00 WEST`, with the zone's
/// abbreviation (or its UTC offset where it has none).
pub fn display_local(zone_name: &str, at: Timestamp) -> String {
    let (tz, wall) = wall(zone_name, at);
    let abbreviation = match jiff::Timestamp::from_millisecond(at.as_millis()) {
        Ok(ts) => tz.to_offset_info(ts).abbreviation().to_owned(),
        Err(_) => "UTC".to_owned(),
    };
    format!("{} {abbreviation}", wall.strftime("%Y-%m-%d %H:%M"))
}

/// The zone (UTC if unknown) and `at`'s wall time in it.
fn wall(zone_name: &str, at: Timestamp) -> (TimeZone, DateTime) {
    let tz = zone(zone_name, "time_zone").unwrap_or(TimeZone::UTC);
    let ts =
        jiff::Timestamp::from_millisecond(at.as_millis()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let wall = tz.to_datetime(ts);
    (tz, wall)
}

/// The time zone of `tx`'s tenant.
pub async fn tenant_zone(tx: &mut TenantTx) -> AppResult<String> {
    Ok(tx.find_time_zone().await?)
}

/// The time zone of the caller's tenant (any member may read it).
pub async fn own_time_zone(state: &AppState, ctx: &TenantCtx) -> AppResult<String> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let zone = tenant_zone(&mut tx).await?;
    tx.commit().await?;
    Ok(zone)
}

/// Sets the caller's tenant's time zone (`settings:manage`); answers the
/// canonical name. Audited as `tenant.time_zone` with the old and new
/// zones; times already scheduled keep their instant.
pub async fn set_time_zone(state: &AppState, ctx: &TenantCtx, name: &str) -> AppResult<String> {
    ctx.require(Permission::SettingsManage)?;
    let zone = check_zone(name)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let before = tenant_zone(&mut tx).await?;
    if before != zone {
        tx.set_time_zone(&zone, now).await?;
        let details = json!({ "from": before, "to": zone });
        let target = ("tenant", ctx.tenant_id.to_string());
        crate::audit::tenant_change(&mut tx, ctx, now, "tenant.time_zone", target, details).await?;
    }
    tx.commit().await?;
    Ok(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> Timestamp {
        Timestamp::parse_rfc3339(rfc3339).unwrap()
    }

    #[test]
    fn wall_time_in_a_zone_is_an_instant_and_back() {
        let t = parse_local("Europe/Lisbon", "2025-07-01T09:30").unwrap();
        assert_eq!(t, at("2025-07-01T08:30:00Z"));
        assert_eq!(format_local("Europe/Lisbon", t), "2025-07-01T09:30");
        assert_eq!(display_local("Europe/Lisbon", t), "2025-07-01 09:30 WEST");
        assert_eq!(
            parse_local("UTC", "2025-01-15T23:05:07").unwrap(),
            at("2025-01-15T23:05:07Z")
        );
        assert_eq!(format_local("UTC", t), "2025-07-01T08:30");
    }

    #[test]
    fn daylight_saving_gaps_move_forward_and_overlaps_take_the_earlier() {
        // New York springs forward at 02:00 on 9 March 2025: 02:30 does
        // not exist and is read as 03:30 EDT (07:30 UTC).
        let gap = parse_local("America/New_York", "2025-03-09T02:30").unwrap();
        assert_eq!(gap, at("2025-03-09T07:30:00Z"));
        assert_eq!(format_local("America/New_York", gap), "2025-03-09T03:30");
        // It falls back at 02:00 on 2 November 2025: 01:30 happens twice;
        // the first (EDT, 05:30 UTC) is taken.
        let overlap = parse_local("America/New_York", "2025-11-02T01:30").unwrap();
        assert_eq!(overlap, at("2025-11-02T05:30:00Z"));
        assert_eq!(
            display_local("America/New_York", overlap),
            "2025-11-02 01:30 EDT"
        );
        // An hour later the clock shows 01:30 again, in EST.
        let again = overlap.plus_seconds(3600);
        assert_eq!(
            display_local("America/New_York", again),
            "2025-11-02 01:30 EST"
        );
    }

    #[test]
    fn zone_names_are_checked_and_spelled_canonically() {
        assert_eq!(check_zone("europe/paris").unwrap(), "Europe/Paris");
        assert_eq!(check_zone("UTC").unwrap(), "UTC");
        for bad in ["Mars/Olympus_Mons", "", "Etc/Unknown", "+01:00"] {
            let e = check_zone(bad).unwrap_err();
            assert_eq!(e.code(), "validation_failed", "{bad}");
        }
        assert!(zone_names().iter().any(|z| z == "Asia/Kolkata"));
    }

    #[test]
    fn malformed_wall_times_are_refused() {
        for bad in [
            "2025-07-01",
            "2025-07-01 09:30",
            "2025-13-01T09:30",
            "2025-07-01T25:00",
            "09:30",
            "2025-07-01T09:30Z",
        ] {
            let e = parse_local("UTC", bad).unwrap_err();
            assert_eq!(e.code(), "validation_failed", "{bad}");
        }
        assert!(parse_local("Nowhere/Atlantis", "2025-07-01T09:30").is_err());
    }
}
