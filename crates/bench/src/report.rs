//! The figures: one table on stdout, and the same table written into
//! docs/BENCHMARKS.md between per-engine markers, so the hand-written parts
//! of that page survive every run.

use std::fmt::Write as _;

/// A target from the issue (a figure to beat, not a test assertion).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    pub fn met(self, v: f64) -> bool {
        match self {
            Target::AtLeast(t) => v >= t,
            Target::AtMost(t) => v <= t,
        }
    }
    fn describe(self, unit: &str) -> String {
        match self {
            Target::AtLeast(t) => format!("≥ {} {unit}", num(t)),
            Target::AtMost(t) => format!("≤ {} {unit}", num(t)),
        }
    }
}

/// One measured figure of one scenario.
#[derive(Debug, Clone)]
pub struct Figure {
    pub scenario: &'static str,
    pub metric: String,
    pub unit: &'static str,
    pub ours: f64,
    /// The same measurement against the trivial axum baseline, if it has one.
    pub baseline: Option<f64>,
    pub target: Option<Target>,
}

impl Figure {
    pub fn new(
        scenario: &'static str,
        metric: impl Into<String>,
        unit: &'static str,
        ours: f64,
    ) -> Self {
        Self {
            scenario,
            metric: metric.into(),
            unit,
            ours,
            baseline: None,
            target: None,
        }
    }
    pub fn baseline(mut self, b: f64) -> Self {
        self.baseline = Some(b);
        self
    }
    pub fn target(mut self, t: Target) -> Self {
        self.target = Some(t);
        self
    }
    /// Ours divided by the baseline's.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b > 0.0).map(|b| self.ours / b)
    }
}

/// Where and how a run was made.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub engine: String,
    pub cores: usize,
    pub date: String,
    pub commit: String,
    pub size: String,
    /// `/proc/loadavg` when the run started (other work on the machine).
    pub load_before: String,
}

/// A number in a table: integers without decimals, small values with 2.
pub fn num(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The table in GitHub markdown (also how it is printed).
pub fn table(info: &RunInfo, figures: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Engine **{}**, {} cores, {}, commit `{}`, size {}, load average before the run {}.\n",
        info.engine, info.cores, info.date, info.commit, info.size, info.load_before
    );
    out.push_str("| scenario | figure | Switchboard | baseline | ratio | target | met |\n");
    out.push_str("|---|---|---:|---:|---:|---|---|\n");
    for f in figures {
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {} | {} | {} | {} |",
            f.scenario,
            f.metric,
            num(f.ours),
            f.unit,
            f.baseline
                .map_or("–".into(), |b| format!("{} {}", num(b), f.unit)),
            f.ratio().map_or("–".into(), |r| format!("{r:.2}×")),
            f.target.map_or("–".into(), |t| t.describe(f.unit)),
            f.target
                .map_or("–", |t| if t.met(f.ours) { "yes" } else { "**no**" }),
        );
    }
    out
}

fn markers(key: &str) -> (String, String) {
    (
        format!(
            "<!-- bench:{key}:begin (written by switchboard-bench; edits here are overwritten) -->"
        ),
        format!("<!-- bench:{key}:end -->"),
    )
}

/// `doc` with the section `key` replaced by `body` (appended, with its
/// markers, when the page has none yet). Everything else is kept.
pub fn rewrite_section(doc: &str, key: &str, body: &str) -> String {
    let (begin, end) = markers(key);
    let section = format!("{begin}\n{}\n{end}", body.trim_end());
    if let Some(b) = doc.find(&begin)
        && let Some(e_rel) = doc[b..].find(&end)
    {
        let e = b + e_rel + end.len();
        return format!("{}{}{}", &doc[..b], section, &doc[e..]);
    }
    let mut out = doc.trim_end().to_owned();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&section);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_its_own_section() {
        let doc = "# Benchmarks\n\nMethod, by hand.\n";
        let once = rewrite_section(doc, "sqlite", "| a |\n");
        assert!(once.starts_with("# Benchmarks\n\nMethod, by hand.\n\n<!-- bench:sqlite:begin"));
        let both = rewrite_section(&once, "postgres", "| pg |");
        let again = rewrite_section(&both, "sqlite", "| b |");
        assert!(again.contains("| b |") && !again.contains("| a |"));
        assert!(
            again.contains("| pg |"),
            "the other engine's section survives"
        );
        assert!(again.contains("Method, by hand."));
        assert_eq!(again.matches("bench:sqlite:begin").count(), 1);
        // Text after the section survives too.
        let tail = format!("{again}\n## Findings\nkept\n");
        let last = rewrite_section(&tail, "sqlite", "| c |");
        assert!(last.ends_with("## Findings\nkept\n") && last.contains("| c |"));
    }

    #[test]
    fn ratios_and_targets() {
        let f = Figure::new("ingest", "rate", "req/s", 300.0)
            .baseline(1000.0)
            .target(Target::AtLeast(10_000.0));
        assert_eq!(f.ratio(), Some(0.3));
        assert!(!f.target.is_some_and(|t| t.met(f.ours)));
        let info = RunInfo {
            engine: "sqlite".into(),
            cores: 2,
            date: "d".into(),
            commit: "c".into(),
            size: "quick".into(),
            load_before: "0.00".into(),
        };
        let t = table(&info, &[f]);
        assert!(
            t.contains(
                "| ingest | rate | 300 req/s | 1000 req/s | 0.30× | ≥ 10000 req/s | **no** |"
            ),
            "{t}"
        );
        assert_eq!(num(2.345), "2.35");
    }
}
