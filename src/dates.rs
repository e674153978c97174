//! Reading the dates people and feeds write ("2020-10-21T07:28:00Z", "Wed, 21 Oct 2020 07:28:00
//! GMT", "October 21, 2020", "Oct. 21st, 2020 7:28 a.m.", "21 October 2020", a Unix timestamp)
//! as a calendar day, for the story window.
//!
//! Written here rather than taken from a crate: the date-guessing crates either pull in a time
//! zone database or guess day-month order, and a wrong guess silently splits or joins stories.
//! chrono parses each format; this module only lists them and refuses what is ambiguous.

use chrono::{DateTime, NaiveDate};

/// The calendar day a date string names, as written (no time-zone shift), or `None` when it
/// names none or names it ambiguously (`10/05/2020` is May or October depending on the country).
pub fn day_of(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.date_naive());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return digits(t);
    }
    if year_first(t).is_some() {
        for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"] {
            if let Ok((d, rest)) = NaiveDate::parse_and_remainder(t, fmt)
                && !rest.starts_with(|c: char| c.is_ascii_digit())
            {
                return time_ok(rest).then_some(d);
            }
        }
        return None;
    }
    written_out(t)
}

/// The separator after a leading four-digit year (`2020-10-21` -> `-`), if the text starts
/// with one. Four digits, because chrono's %Y alone also takes "20" (year 20) or "+2020", and
/// "10/05/20" would become 10 May of year 10 instead of a date left unread.
fn year_first(t: &str) -> Option<u8> {
    let b = t.as_bytes();
    (b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit))
        .then(|| b[4])
        .filter(|sep| matches!(sep, b'-' | b'/' | b'.'))
}

/// Whether what follows a year-first date is no time, or a time of day that exists: "T25:00"
/// or " 07:61" is a broken field, and a broken field is said rather than read as its day.
fn time_ok(rest: &str) -> bool {
    match rest.strip_prefix(['T', ' ']) {
        Some(time) => clock_ok(time.split([' ', 'Z', '+', '-', '.']).next().unwrap_or("")),
        None => true,
    }
}

/// 20201021, 20201021073000 (GDELT), or a Unix time in seconds or milliseconds.
fn digits(t: &str) -> Option<NaiveDate> {
    match t.len() {
        8 => NaiveDate::parse_from_str(t, "%Y%m%d").ok(),
        14 => chrono::NaiveDateTime::parse_from_str(t, "%Y%m%d%H%M%S")
            .ok()
            .map(|d| d.date()),
        // 2001-09-09 .. 2286 in seconds, the same in milliseconds.
        10 | 13 => {
            let n: i64 = t.parse().ok()?;
            let secs = if t.len() == 13 { n / 1000 } else { n };
            DateTime::from_timestamp(secs, 0).map(|d| d.date_naive())
        }
        _ => None,
    }
}

/// A date with its month in words: "October 21, 2020", "Wednesday, Oct. 21st 2020 7:28 PM",
/// "21 October 2020". Anything after the year (a time, a zone) is ignored.
fn written_out(t: &str) -> Option<NaiveDate> {
    let (y, m, d, clock) = written_out_parts(t)?;
    // A time after the year must be one ("7:28 PM", "07:28:00 GMT"; not "25:00").
    if !clock {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The year, month and day a written-out date names in its place (month and day in either
/// order, then a four-digit year), and whether what follows the year is no clock or one that
/// exists; `None` when it does not have that shape.
fn written_out_parts(t: &str) -> Option<(i32, u32, u32, bool)> {
    // Words without commas, periods or ordinal suffixes, and AP style's "Sept" as "Sep", so
    // chrono can name the weekday and month.
    let words: Vec<String> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let suffix = &w[digits.len()..];
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && ["st", "nd", "rd", "th"].contains(&suffix.to_ascii_lowercase().as_str())
            {
                digits.to_string()
            } else if w.eq_ignore_ascii_case("sept") {
                "Sep".to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    let weekday = words
        .first()
        .is_some_and(|w| w.parse::<chrono::Weekday>().is_ok());
    let w = &words[usize::from(weekday)..];
    if w.len() < 3 {
        return None;
    }
    let day = |s: &str| (s.len() <= 2).then(|| s.parse::<u32>().ok()).flatten();
    let month = |s: &str| {
        s.parse::<chrono::Month>()
            .ok()
            .map(|m| m.number_from_month())
    };
    let year = |s: &str| {
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let (m, d) = match (month(&w[0]), day(&w[1]), day(&w[0]), month(&w[1])) {
        (Some(m), Some(d), _, _) | (_, _, Some(d), Some(m)) => (m, d),
        _ => return None,
    };
    Some((year(&w[2])?, m, d, w.get(3).is_none_or(|t| clock_ok(t))))
}

/// Whether `t`, when it is a clock time (H:MM or HH:MM, seconds after), names a time that
/// exists. Anything else is not a time and passes.
fn clock_ok(t: &str) -> bool {
    let mut parts = t.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return true;
    };
    // The minutes' first two bytes, when they are ASCII digits ("28:00", "28 PM"); anything
    // else (a letter, another script) is not a clock.
    let Some(m) = m.get(..2) else {
        return true;
    };
    let digits = |x: &str| !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return true;
    }
    matches!((h.parse::<u32>(), m.parse::<u32>()), (Ok(h), Ok(m)) if h < 24 && m < 60)
}

/// Why a date string was not read as a day, for the warning that names it.
pub fn why_not(text: &str) -> &'static str {
    let t = text.trim();
    if year_first(t) == Some(b'-') || written_out_parts(t).is_some() {
        return "no such day or time (a month over 12, a day past the month's end, an hour over 23)";
    }
    let numeric = t
        .split(['/', '.', '-'])
        .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric && t.contains(['/', '.', '-']) {
        "day and month in numbers are ambiguous (10/05/2020 is May in most of the world and October in the US); write it as YYYY-MM-DD"
    } else {
        "not a date claimscope reads; write it as YYYY-MM-DD (RFC 2822, \"October 21, 2020\" and Unix times are read too)"
    }
}

/// What is doubtful about a document's date, for a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateNote {
    /// Given but not read: the document is undated for the story window.
    Unread(String),
    /// Read as more than a year after `today` (a 10-digit YYYYMMDDHH read as Unix seconds, a
    /// typo in the year): the document is dated as read, which keeps it out of every story of
    /// documents of its real time.
    FarAhead(String),
}

/// The note on a document's date, or `None` when it is absent or read and plausible. One
/// wording for every reader of documents (files, and the Python package's dicts), and one
/// parse of the date for both notes.
pub fn date_note(source: &str, id: &str, date: Option<&str>, today: NaiveDate) -> Option<DateNote> {
    let given = date?;
    match day_of(given) {
        None => Some(DateNote::Unread(format!(
            "{source} (document {id}): date {given:?} not understood, so the document is undated for the story window: {}",
            why_not(given)
        ))),
        Some(day) if day > today + chrono::Days::new(366) => Some(DateNote::FarAhead(format!(
            "{source} (document {id}): date {given:?} reads as {day}, more than a year from now; \
             the document is dated so (check the field: 10 digits read as Unix seconds, 8 as \
             YYYYMMDD)"
        ))),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_far_in_the_future_is_said() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let odd_note = |source: &str, id: &str, date: Option<&str>, today| match date_note(
            source, id, date, today,
        ) {
            Some(DateNote::FarAhead(n)) => Some(n),
            _ => None,
        };
        // YYYYMMDDHH read as Unix seconds: 2034.
        let note = odd_note("f:1", "a", Some("2020102112"), today).unwrap_or_default();
        assert!(
            note.contains("reads as 2034-01-05") && note.contains("Unix seconds"),
            "{note}"
        );
        assert!(odd_note("f:1", "a", Some("2099-10-21"), today).is_some());
        assert_eq!(odd_note("f:1", "a", Some("2027-06-01"), today), None);
        assert_eq!(odd_note("f:1", "a", Some("2020-10-21"), today), None);
        assert_eq!(odd_note("f:1", "a", Some("soon"), today), None);
        assert_eq!(odd_note("f:1", "a", None, today), None);
    }

    fn day(s: &str) -> Option<String> {
        day_of(s).map(|d| d.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn the_formats_of_feeds_pages_and_spreadsheets_are_read() {
        let d = Some("2020-10-21".to_string());
        for s in [
            "2020-10-21",
            "2020-10-21T23:28:00-04:00",
            "2020-10-21 07:28",
            "Wed, 21 Oct 2020 23:28:00 -0400",
            "2020/10/21",
            "2020.10.21 07:28",
            "20201021",
            "20201021073000",
            "1603272480",
            "1603272480000",
            "October 21, 2020",
            "Oct. 21, 2020",
            "Wednesday, October 21st, 2020 7:28 PM EDT",
            "21 October 2020",
            "21 Oct 2020, 07:28 BST",
            "  oct 21 2020  ",
            // Not a clock after the colon: the day is read, and nothing is sliced mid-character.
            "2020-10-21 07:中文",
            "2020-10-21 07:5中",
        ] {
            assert_eq!(day(s), d, "{s}");
        }
        assert_eq!(day("Sept. 3, 2021"), Some("2021-09-03".into()));
    }

    #[test]
    fn ambiguous_and_impossible_dates_are_not_guessed() {
        for s in [
            "10/05/2020",
            "21/10/2020",
            "05.10.2020",
            "yesterday",
            "2020",
            "October 2020",
            "2020-02-30",
            "February 30, 2020",
            "12345",
            "Oct 21, 20201",
            "10/05/20",
            "21.10.20 07:28",
            "1/2/20",
            "+2020-10-21",
            "20-10-21",
            "2020-13-01",
            "2020-10-21T25:00:00Z",
            "2020-10-21 07:61",
            "20201021253000",
            "2020-10-21T7:99",
            "Wed, 21 Oct 2020 25:00:00 GMT",
            "October 21, 2020 25:61",
            "",
        ] {
            assert_eq!(day(s), None, "{s}");
        }
        assert!(why_not("10/05/2020").contains("ambiguous"));
        assert!(why_not("yesterday").contains("YYYY-MM-DD"));
        assert!(why_not("2020-02-30").contains("no such day"));
        assert!(why_not("31 February 2020").contains("no such day"));
        assert!(why_not("May 2020").contains("YYYY-MM-DD"));
        assert!(why_not("Published May 5 2020 by staff").contains("YYYY-MM-DD"));
        assert!(why_not("October 21, 2020 25:61").contains("no such day or time"));
    }
}
