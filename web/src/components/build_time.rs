//! Shows a build start time as `YYYY-MM-DD HH:MM:SS` with "3 hours ago" as tooltip.
//!
//! Only formatting; times come from the API as RFC 3339 UTC strings.

use leptos::prelude::*;

/// A timestamp cell: absolute UTC time, relative time as tooltip.
#[component]
pub fn BuildTime(started: String) -> impl IntoView {
    let parsed = js_sys::Date::parse(&started);
    let title = if parsed.is_nan() {
        String::new()
    } else {
        let age_secs = ((js_sys::Date::now() - parsed) / 1000.0).round() as i64;
        relative(age_secs)
    };
    view! { <time datetime=started.clone() title=title>{display(&started)}</time> }
}

/// `2026-11-25T01:02:03.456Z` → `2026-11-25 01:02:03`; other text is returned unchanged.
pub fn display(rfc3339: &str) -> String {
    match rfc3339.get(..19) {
        Some(head) if head.as_bytes().get(10) == Some(&b'T') => head.replacen('T', " ", 1),
        _ => rfc3339.to_owned(),
    }
}

/// Human-readable age: "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn relative(age_secs: i64) -> String {
    const UNITS: [(i64, &str); 4] =
        [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")];
    if age_secs < 0 {
        return "in the future".to_owned();
    }
    if age_secs < 10 {
        return "just now".to_owned();
    }
    let (size, name) = UNITS.into_iter().find(|(size, _)| age_secs >= *size).unwrap_or(UNITS[3]);
    let n = age_secs / size;
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {name}{plural} ago")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_shown_without_t_zone_and_fraction() {
        assert_eq!(display("2026-11-25T01:02:03Z"), "2026-11-25 01:02:03");
        assert_eq!(display("2026-11-25T01:02:03.456+00:00"), "2026-11-25 01:02:03");
        assert_eq!(display("yesterday"), "yesterday");
    }

    #[test]
    fn ages_use_the_largest_whole_unit() {
        assert_eq!(relative(3), "just now");
        assert_eq!(relative(59), "59 seconds ago");
        assert_eq!(relative(60), "1 minute ago");
        assert_eq!(relative(3 * 3600 + 59), "3 hours ago");
        assert_eq!(relative(2 * 86_400), "2 days ago");
        assert_eq!(relative(-5), "in the future");
    }
}
