//! Dates and times of posts, for a collection's sentiment over time: an ISO 8601 date or date-time (`2024-03-05`,
//! `2024-03-05T14:30:00Z`, `2024-03-05 14:30:00+01:00`, fractions of a second ignored; no zone is UTC) or a Unix
//! time in seconds or, with 13 digits or more, milliseconds. Anything else is no time (the post is counted as
//! undated). Written here rather than taken from a date crate: the page's wasm has 44 kB left of its gzipped
//! budget, and these two forms are what exports of posts hold.

/// Seconds since 1970-01-01T00:00:00Z of `text`, or `None` when it is not one of the forms above.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let number: i64 = text.parse().ok()?;
        return Some(if text.len() >= 13 { number / 1000 } else { number });
    }
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<i64> {
        let digits = text.get(from..to)?;
        digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok()).flatten()
    };
    let at = |index: usize, expected: &[u8]| bytes.get(index).is_some_and(|b| expected.contains(b));
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    if !at(4, b"-") || !at(7, b"-") || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 2023-02-30 is no date: it would come back as another.
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    let mut seconds = days * 86_400;
    if bytes.len() == 10 {
        return Some(seconds);
    }
    let (hour, minute) = (number(11, 13)?, number(14, 16)?);
    if !at(10, b"Tt ") || !at(13, b":") || hour > 23 || minute > 59 {
        return None;
    }
    seconds += hour * 3_600 + minute * 60;
    let mut rest = 16;
    if at(16, b":") {
        let second = number(17, 19)?;
        if second > 60 {
            return None;
        }
        seconds += second;
        rest = 19;
        if at(19, b".,") {
            let fraction = bytes[20..].iter().take_while(|b| b.is_ascii_digit()).count();
            if fraction == 0 {
                return None;
            }
            rest = 20 + fraction;
        }
    }
    let zone = text.get(rest..)?.trim_start();
    Some(match zone {
        "" | "Z" | "z" => seconds,
        _ => seconds - offset(zone)?,
    })
}

/// `+HH:MM`, `+HHMM` or `+HH` (or `-`) in seconds east of UTC.
fn offset(zone: &str) -> Option<i64> {
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|&c| c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3_600 + minutes * 60))
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date (year, month, day) `days` after 1970-01-01: the inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based + 2) / 5 + 1;
    let month = if march_based < 10 { march_based + 3 } else { march_based - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_and_unix_times_parse_to_the_same_seconds() {
        let noon = 1_709_640_000; // 2024-03-05T12:00:00Z
        for text in [
            "2024-03-05T12:00:00Z",
            "2024-03-05 12:00:00",
            "2024-03-05t12:00",
            "2024-03-05T12:00:00.123456Z",
            "2024-03-05T13:00:00+01:00",
            "2024-03-05T07:30:00-0430",
            "2024-03-05T14:00:00 +02",
            " 1709640000 ",
            "1709640000000",
        ] {
            assert_eq!(parse(text), Some(noon), "{text}");
        }
        assert_eq!(parse("2024-03-05"), Some(noon - 12 * 3_600));
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(parse("2000-02-29"), Some(951_782_400));
    }

    #[test]
    fn what_is_not_a_time_is_none() {
        for text in [
            "",
            "yesterday",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-03-32",
            "2024-3-5",
            "2024/03/05",
            "2024-03-05T25:00",
            "2024-03-05T12:60",
            "2024-03-05T12:00:00 PST",
            "2024-03-05T12:00+1",
            "12:00",
            "Wed Oct 10 20:19:24 +0000 2018",
            "99999999999999999999999",
            "2024-03-05T12:00:00.",
            "2024-03-05x",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn days_and_dates_round_trip() {
        for days in (-800_000..800_000).step_by(97) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_787), (2024, 3, 5));
    }
}
