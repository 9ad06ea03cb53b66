//! Charts for the analytics pages, drawn on the server as inline SVG: no
//! script and no CDN, so they show on any phone and need nothing to load.
//!
//! Each chart is one `<svg>` that scales to its container (`viewBox`,
//! `width="100%"`) and gets its colours only from the stylesheet, through
//! classes: `chart`, `bar`/`line`/`point`/`swatch` next to the series' own
//! class, `grid`, `axis`, `x-label`, `y-label`, `legend-label`, and
//! `heat heat-0` to `heat-4`. Lines need `fill: none` from the stylesheet.
//! It names itself in `<title>`, sums itself up in `<desc>`, and gives
//! every bar, point and cell a `<title>` with its exact value, for hover
//! and for screen readers. Geometry is computed in f64, so no value,
//! however large, can overflow.

use std::fmt::Write as _;

/// One named series of values, one per label; `class` picks its colour
/// in the stylesheet (e.g. `series-in`).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [i64],
    pub class: &'a str,
}

impl Series<'_> {
    /// The value at label `i`. Missing values count as 0, and so do
    /// negative ones, since nothing charted here can be below zero.
    fn at(&self, i: usize) -> i64 {
        self.values.get(i).copied().unwrap_or(0).max(0)
    }
}

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 22.0;
/// The y of the x axis.
const BASE: f64 = HEIGHT - BOTTOM;
/// Text is drawn at this size (viewBox units); layout guesses widths from it.
const FONT: f64 = 11.0;
const CHAR_W: f64 = FONT * 0.6;
/// No more x labels than this, however many fit.
const MAX_X_LABELS: usize = 14;

/// Grouped vertical bars: one group per label (e.g. a day "Dec 1"), one
/// bar per series.
pub fn bars(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let frame = Frame::new(labels, series);
    let mut body = frame.axes(labels, series);
    let bar_w = frame.slot() * 0.8 / series.len().max(1) as f64;
    for (i, label) in labels.iter().enumerate() {
        for (j, s) in series.iter().enumerate() {
            let v = s.at(i);
            let x = LEFT + frame.slot() * (i as f64 + 0.1) + bar_w * j as f64;
            let y = frame.y(v);
            let _ = write!(
                body,
                r#"<rect class="bar {}" x="{}" y="{}" width="{}" height="{}">{}</rect>"#,
                escape(s.class),
                num(x),
                num(y),
                num(bar_w),
                num(BASE - y),
                value_title(label, s.name, v),
            );
        }
    }
    let desc = describe(labels, series);
    wrap("bars", title, &desc, WIDTH, HEIGHT, &body)
}

/// Lines (a polyline per series) over the labels, for trends over time;
/// each label also gets a point carrying its exact value.
pub fn lines(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let frame = Frame::new(labels, series);
    let mut body = frame.axes(labels, series);
    for s in series {
        let points: Vec<String> = (0..labels.len())
            .map(|i| format!("{},{}", num(frame.x(i)), num(frame.y(s.at(i)))))
            .collect();
        let _ = write!(
            body,
            r#"<polyline class="line {}" points="{}"/>"#,
            escape(s.class),
            points.join(" "),
        );
        for (i, label) in labels.iter().enumerate() {
            let _ = write!(
                body,
                r#"<circle class="point {}" cx="{}" cy="{}" r="3">{}</circle>"#,
                escape(s.class),
                num(frame.x(i)),
                num(frame.y(s.at(i))),
                value_title(label, s.name, s.at(i)),
            );
        }
    }
    let desc = describe(labels, series);
    wrap("lines", title, &desc, WIDTH, HEIGHT, &body)
}

/// A weekday × hour heatmap: `cells[weekday][hour]`, weekday 0 = Monday.
/// Rows are labelled with `weekdays` (7 short names given by the caller),
/// columns with every third hour.
pub fn heatmap(title: &str, weekdays: &[&str; 7], cells: &[[i64; 24]; 7]) -> String {
    const CELL: f64 = 18.0;
    const LEFT_H: f64 = 36.0;
    const TOP_H: f64 = 18.0;
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(0);
    let mut body = String::new();
    for hour in (0..24).step_by(3) {
        let _ = write!(
            body,
            r#"<text class="x-label" x="{}" y="{}" text-anchor="middle">{hour:02}</text>"#,
            num(LEFT_H + CELL * (f64::from(hour) + 0.5)),
            num(TOP_H - 6.0),
        );
    }
    let mut busiest = None;
    for (d, (day, row)) in weekdays.iter().zip(cells).enumerate() {
        let y = TOP_H + CELL * d as f64;
        let _ = write!(
            body,
            r#"<text class="y-label" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            num(LEFT_H - 6.0),
            num(y + CELL / 2.0),
            escape(day),
        );
        for (h, &v) in row.iter().enumerate() {
            let v = v.max(0);
            if v > 0 && busiest.is_none_or(|(_, _, best)| v > best) {
                busiest = Some((day, h, v));
            }
            let _ = write!(
                body,
                r#"<rect class="heat heat-{}" x="{}" y="{}" width="{}" height="{}"><title>{} {h:02}:00 · {v}</title></rect>"#,
                heat_level(v, max),
                num(LEFT_H + CELL * h as f64 + 1.0),
                num(y + 1.0),
                num(CELL - 2.0),
                num(CELL - 2.0),
                escape(day),
            );
        }
    }
    let total: i128 = cells.iter().flatten().map(|&v| i128::from(v.max(0))).sum();
    let desc = match busiest {
        Some((day, h, v)) => format!("{total} in total, busiest {day} {h:02}:00 ({v})."),
        None => "No activity.".to_owned(),
    };
    let (width, height) = (LEFT_H + 24.0 * CELL + 4.0, TOP_H + 7.0 * CELL + 4.0);
    wrap("heatmap", title, &desc, width, height, &body)
}

/// The y-axis ticks for values up to `max`: 0, then 2 to 4 equal steps of
/// 1, 2 or 5 × 10^k, the last at or above `max`. In i128 so that steps
/// above `i64::MAX` cannot overflow.
fn nice_ticks(max: i64) -> Vec<i128> {
    let max = i128::from(max.max(0));
    // The smallest round step that reaches `max` in at most 4 steps.
    let step = (0..)
        .flat_map(|k| [1, 2, 5].map(|factor| factor * 10_i128.pow(k)))
        .find(|step| step * 4 >= max)
        .unwrap_or(1);
    let steps = ((max + step - 1) / step).max(2);
    (0..=steps).map(|n| n * step).collect()
}

/// The heat class of a cell: 0 for nothing, else which quarter of the
/// busiest cell's value it reaches (1 to 4).
fn heat_level(value: i64, max: i64) -> u8 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    // Casting a float to an int saturates, so this cannot wrap.
    (value as f64 / max as f64 * 4.0).ceil().clamp(1.0, 4.0) as u8
}

/// The plot area of a bar or line chart: `n` slots across, scaled so the
/// top tick reaches the top.
struct Frame {
    n: usize,
    ticks: Vec<i128>,
}

impl Frame {
    fn new(labels: &[String], series: &[Series<'_>]) -> Self {
        let max = series
            .iter()
            .flat_map(|s| (0..labels.len()).map(|i| s.at(i)))
            .max()
            .unwrap_or(0);
        Frame {
            n: labels.len(),
            ticks: nice_ticks(max),
        }
    }

    fn slot(&self) -> f64 {
        (WIDTH - LEFT - RIGHT) / self.n.max(1) as f64
    }

    /// The centre of slot `i`.
    fn x(&self, i: usize) -> f64 {
        LEFT + self.slot() * (i as f64 + 0.5)
    }

    fn y(&self, value: impl Into<i128>) -> f64 {
        // The top tick is at least 2, so this never divides by zero.
        let top = self.ticks.last().copied().unwrap_or(1).max(1) as f64;
        BASE - (BASE - TOP) * (value.into() as f64 / top)
    }

    /// Gridlines with their y labels, the baseline, the x labels (every
    /// k-th one when they would crowd each other) and the legend.
    fn axes(&self, labels: &[String], series: &[Series<'_>]) -> String {
        let mut out = String::new();
        for &tick in &self.ticks {
            let y = num(self.y(tick));
            let _ = write!(
                out,
                r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text class="y-label" x="{}" y="{y}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
                num(LEFT),
                num(WIDTH - RIGHT),
                num(LEFT - 6.0),
                short(tick),
            );
        }
        let y = num(BASE);
        let _ = write!(
            out,
            r#"<line class="axis" x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
            num(LEFT),
            num(WIDTH - RIGHT),
        );
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let fit = ((longest as f64 * CHAR_W + 6.0) / self.slot()).ceil() as usize;
        let every = fit.max(labels.len().div_ceil(MAX_X_LABELS)).max(1);
        for (i, label) in labels.iter().enumerate().step_by(every) {
            let _ = write!(
                out,
                r#"<text class="x-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(self.x(i)),
                num(BASE + FONT + 4.0),
                escape(label),
            );
        }
        let mut x = LEFT;
        for s in series {
            let _ = write!(
                out,
                r#"<rect class="swatch {}" x="{}" y="8" width="10" height="10"/><text class="legend-label" x="{}" y="13" dominant-baseline="middle">{}</text>"#,
                escape(s.class),
                num(x),
                num(x + 14.0),
                escape(s.name),
            );
            x += 14.0 + s.name.chars().count() as f64 * CHAR_W + 12.0;
        }
        out
    }
}

/// The words for `<desc>`: per series, its total and its busiest label.
fn describe(labels: &[String], series: &[Series<'_>]) -> String {
    if labels.is_empty() || series.is_empty() {
        return "No data.".to_owned();
    }
    let parts: Vec<String> = series
        .iter()
        .map(|s| {
            let total: i128 = (0..labels.len()).map(|i| i128::from(s.at(i))).sum();
            // `max_by_key` keeps the last of equals; reversed, the first.
            let peak = labels
                .iter()
                .enumerate()
                .rev()
                .max_by_key(|&(i, _)| s.at(i));
            match peak {
                Some((i, label)) if total > 0 => format!(
                    "{}: {total} in total, most on {label} ({}).",
                    s.name,
                    s.at(i)
                ),
                _ => format!("{}: none.", s.name),
            }
        })
        .collect();
    parts.join(" ")
}

/// The hover text of one bar or point: "Dec 3 · Messages in: 5".
fn value_title(label: &str, name: &str, value: i64) -> String {
    format!(
        "<title>{}</title>",
        escape(&format!("{label} · {name}: {value}"))
    )
}

/// Wraps a chart's body in its `<svg>`, with an id derived from its
/// content so that several charts on one page don't share ids, while the
/// same chart always renders the same.
fn wrap(kind: &str, title: &str, desc: &str, width: f64, height: f64, body: &str) -> String {
    let hash = [kind, title, desc, body]
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let id = format!("chart-{hash:016x}");
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" font-size="{}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>{body}</svg>"#,
        num(width),
        num(height),
        num(FONT),
        escape(title),
        escape(desc),
    )
}

/// A tick label, shortened past a thousand ("1.5k", "20M") to fit the axis.
fn short(value: i128) -> String {
    let mut scaled = value as f64;
    for unit in ["", "k", "M", "G", "T", "P"] {
        if scaled < 1000.0 {
            return format!("{}{unit}", num(scaled));
        }
        scaled /= 1000.0;
    }
    format!("{}E", num(scaled))
}

/// A coordinate with at most one decimal, without a trailing ".0".
fn num(x: f64) -> String {
    let text = format!("{:.1}", if x.is_finite() { x } else { 0.0 });
    match text.strip_suffix(".0") {
        Some(whole) if whole != "-0" => whole.to_owned(),
        Some(_) => "0".to_owned(),
        None => text,
    }
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
#[path = "charts_tests.rs"]
mod tests;
