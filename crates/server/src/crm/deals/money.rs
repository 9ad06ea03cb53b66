//! Deal values: ISO 4217 currencies with their minor units, amounts typed
//! by people ("1,250.50") turned into minor units, and minor units shown
//! as people read them ("€1,250.50", "1,250.500 KWD").

use crate::error::{AppError, AppResult};

/// The largest value a deal may have, in minor units (10^15: ten trillion
/// dollars; sums of many stay far from `i64::MAX`).
pub const MAX_VALUE_MINOR: i64 = 1_000_000_000_000_000;

/// Active ISO 4217 currencies and their minor-unit digits (funds and
/// precious metals left out).
#[rustfmt::skip]
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2),
    ("AUD", 2), ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2),
    ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BRL", 2), ("BSD", 2),
    ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHF", 2),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2),
    ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2),
    ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2),
    ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2),
    ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0),
    ("JMD", 2), ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0),
    ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2),
    ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2),
    ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2),
    ("MWK", 2), ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2),
    ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2),
    ("SGD", 2), ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2),
    ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3),
    ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0),
    ("USD", 2), ("UYU", 2), ("UZS", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2),
    ("XAF", 0), ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2),
    ("ZMW", 2), ("ZWG", 2),
];

/// Symbols shown before the amount; other currencies follow it by code.
const SYMBOLS: &[(&str, &str)] = &[
    ("USD", "$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("JPY", "¥"),
    ("INR", "₹"),
    ("BRL", "R$"),
];

/// The minor-unit digits of an ISO 4217 code, if it is one we know.
pub fn exponent(code: &str) -> Option<u32> {
    CURRENCIES.iter().find(|(c, _)| *c == code).map(|(_, e)| *e)
}

/// Every currency code, for the forms' suggestions.
pub fn codes() -> impl Iterator<Item = &'static str> {
    CURRENCIES.iter().map(|(c, _)| *c)
}

/// `raw` as an ISO 4217 code: three upper-case letters of a currency in use.
pub fn currency(raw: &str) -> AppResult<String> {
    if raw.len() != 3 || !raw.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(AppError::validation(
            "currency",
            "an ISO 4217 code: three upper-case letters (EUR)",
        ));
    }
    exponent(raw)
        .map(|_| raw.to_owned())
        .ok_or_else(|| AppError::validation("currency", "not an ISO 4217 currency in use"))
}

/// A value in minor units: 0 to [`MAX_VALUE_MINOR`].
pub fn value_minor(v: i64) -> AppResult<i64> {
    if (0..=MAX_VALUE_MINOR).contains(&v) {
        Ok(v)
    } else {
        Err(AppError::validation(
            "value_minor",
            format!("must be 0 to {MAX_VALUE_MINOR} (minor units)"),
        ))
    }
}

/// An amount as people type it in `currency`'s major units (`1250`,
/// `1,250.5`, `1 250,50` is refused: the decimal mark is a point) in minor
/// units. Empty is zero.
pub fn parse_major(raw: &str, currency: &str) -> AppResult<i64> {
    let bad = || AppError::validation("value", "an amount such as 1250 or 1,250.50");
    let digits = exponent(currency).unwrap_or(2);
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    if cleaned.is_empty() {
        return Ok(0);
    }
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !all_digits(whole) || !all_digits(frac) {
        return Err(bad());
    }
    if frac.len() > digits as usize {
        return Err(AppError::validation(
            "value",
            format!("{currency} has {digits} decimal places"),
        ));
    }
    let scale = 10_i64.pow(digits);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = digits as usize)
            .parse()
            .map_err(|_| bad())?
    };
    let v = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)?;
    value_minor(v).map_err(|_| AppError::validation("value", "is too large"))
}

/// `value_minor` in `currency` as people read it: `€1,250.50`,
/// `1,250.500 KWD`, `¥1,250`.
pub fn format(value_minor: i64, currency: &str) -> String {
    let digits = exponent(currency).unwrap_or(2);
    let scale = 10_i64.pow(digits);
    let (whole, frac) = (value_minor.abs() / scale, value_minor.abs() % scale);
    let grouped = crate::dashboard::page::thousands(whole);
    let sign = if value_minor < 0 { "-" } else { "" };
    let amount = if digits == 0 {
        grouped
    } else {
        format!("{grouped}.{frac:0width$}", width = digits as usize)
    };
    match SYMBOLS.iter().find(|(c, _)| *c == currency) {
        Some((_, symbol)) => format!("{sign}{symbol}{amount}"),
        None => format!("{sign}{amount} {currency}"),
    }
}

/// The major-unit amount of `value_minor`, as a form shows it again
/// (`1250.50`; no grouping).
pub fn major(value_minor: i64, currency: &str) -> String {
    let digits = exponent(currency).unwrap_or(2);
    let scale = 10_i64.pow(digits);
    if digits == 0 {
        return value_minor.to_string();
    }
    format!(
        "{}.{:0width$}",
        value_minor / scale,
        value_minor % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_iso_codes_in_use() {
        assert_eq!(currency("EUR").unwrap(), "EUR");
        for bad in ["eur", "EURO", "EU", "XXX", "ABC", "", "€"] {
            assert!(currency(bad).is_err(), "{bad}");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(codes().all(|c| seen.insert(c)), "no code twice");
    }

    #[test]
    fn amounts_follow_each_currencys_minor_units() {
        assert_eq!(format(125_050, "EUR"), "€1,250.50");
        assert_eq!(format(5, "USD"), "$0.05");
        assert_eq!(format(1_250, "JPY"), "¥1,250");
        assert_eq!(format(1_250_500, "KWD"), "1,250.500 KWD");
        assert_eq!(format(100_000_000, "CHF"), "1,000,000.00 CHF");
        assert_eq!(parse_major("1,250.5", "EUR").unwrap(), 125_050);
        assert_eq!(parse_major("1250", "JPY").unwrap(), 1_250);
        assert_eq!(parse_major(".5", "USD").unwrap(), 50);
        assert_eq!(parse_major("", "USD").unwrap(), 0);
        assert_eq!(parse_major("2.125", "KWD").unwrap(), 2_125);
        for bad in ["1.234", "abc", "-5", "1.2.3", ".", "99999999999999999999"] {
            assert!(parse_major(bad, "EUR").is_err(), "{bad}");
        }
        assert_eq!(major(125_050, "EUR"), "1250.50");
        assert_eq!(major(1_250, "JPY"), "1250");
    }
}
