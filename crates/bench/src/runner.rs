//! Runs the chosen scenarios in order and reports.

use crate::cli::RunArgs;
use crate::db::EngineChoice;
use crate::report::{Figure, RunInfo, rewrite_section, table};
use crate::scenarios::{self, ALL, Ctx, Sizes};
use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The current commit (short), `-dirty` when the tree has changes.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(workspace())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(c) if git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty()) => {
            format!("{c}-dirty")
        }
        Some(c) => c,
        None => "unknown".into(),
    }
}

fn today() -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::now_utc()
        .format(&fmt)
        .unwrap_or_else(|_| "unknown date".into())
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let engine = match (args.engine.as_str(), &args.database_url) {
        ("postgres", Some(url)) => EngineChoice::Postgres {
            admin_url: url.clone(),
        },
        ("postgres", None) => bail!(
            "--engine postgres needs --database-url postgres://SUPERUSER@HOST:PORT/postgres \
             (scripts/pg-throwaway starts a throwaway server and prints one)"
        ),
        _ => EngineChoice::Sqlite,
    };
    let chosen: Vec<String> = if args.scenarios.is_empty() {
        ALL.iter().map(|s| (*s).to_owned()).collect()
    } else {
        args.scenarios.clone()
    };
    for s in &chosen {
        if !ALL.contains(&s.as_str()) {
            bail!("no scenario `{s}` (choose from {})", ALL.join(", "));
        }
    }
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| workspace().join("target/bench-data"));
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let mut sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    if let Some(s) = args.outbound_time_limit {
        sizes.out_time_limit = std::time::Duration::from_secs(s);
    }
    let ctx = Ctx {
        engine: engine.clone(),
        data_dir,
        sizes,
        keep: args.keep,
    };
    let load_before = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    let mut figures: Vec<Figure> = Vec::new();
    let mut failed = Vec::new();
    for name in &chosen {
        eprintln!(
            "== {name} ({}, {})",
            engine.name(),
            if args.quick { "quick" } else { "full size" }
        );
        let t = Instant::now();
        match scenarios::run(&ctx, name).await {
            Ok(f) => figures.extend(f),
            Err(e) => {
                eprintln!("   FAILED: {e:#}");
                failed.push(name.clone());
            }
        }
        eprintln!("   ({:.0} s)", t.elapsed().as_secs_f64());
    }
    let info = RunInfo {
        engine: engine.name().into(),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        date: today(),
        commit: commit(),
        size: if args.quick {
            "quick".into()
        } else {
            "full".into()
        },
        load_before,
    };
    let t = table(&info, &figures);
    println!("{t}");
    let every = chosen.len() == ALL.len() && failed.is_empty();
    let target = match (&args.write, args.no_write) {
        (_, true) => None,
        (Some(p), false) => Some(p.clone()),
        (None, false) if !args.quick && every => Some(workspace().join("docs/BENCHMARKS.md")),
        _ => None,
    };
    if let Some(path) = target {
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        let heading = match engine {
            EngineChoice::Sqlite => "SQLite",
            EngineChoice::Postgres { .. } => "PostgreSQL",
        };
        let body = format!("### {heading}\n\n{t}");
        std::fs::write(&path, rewrite_section(&doc, engine.name(), &body))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "wrote the {} figures into {}",
            engine.name(),
            path.display()
        );
    }
    if !failed.is_empty() {
        bail!("scenarios failed: {}", failed.join(", "));
    }
    Ok(())
}
