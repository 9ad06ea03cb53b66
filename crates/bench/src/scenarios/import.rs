//! CRM contact import (issue 14): a CSV file of `import_rows` contacts
//! (phone, name, email, language, tags; 1% of rows with a bad number and
//! 1% repeating an earlier number) uploaded through the API, started, and
//! timed until the import's job has finished every row. Figures: the
//! upload, the time from start to finished, the whole, and rows per second.

use super::{Ctx, NO_GRAPH, get_json, step};
use crate::children::{ServerSpec, start_server};
use crate::load::client;
use crate::report::{Figure, Target};
use crate::seed;
use serde_json::json;
use std::time::{Duration, Instant};

const S: &str = "CRM: contact import";

/// The file: a header and `rows` rows.
fn file(rows: usize) -> String {
    let mut out = String::with_capacity(rows * 70);
    out.push_str("Phone,Name,Email,Language,Tags\n");
    for i in 0..rows {
        let phone = match i % 100 {
            37 => "not a number".to_owned(),
            73 => format!("+44 79{:08}", i - 1),
            _ => format!("+44 79{i:08}"),
        };
        let tags = ["vip", "newsletter", "vip, lisbon", ""][i % 4];
        let lang = ["en", "pt_BR", "es", ""][i % 4];
        out.push_str(&format!(
            "{phone},Customer {i},customer{i}@example.com,{lang},\"{tags}\"\n"
        ));
    }
    out
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let rows = ctx.sizes.import_rows;
    let db = ctx.fresh_db("import").await?;
    let state = db.state(NO_GRAPH).await?;
    let tenant = seed::tenants(&state, 1, 0, 80)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no tenant seeded"))?;
    state.store.close().await;
    drop(state);

    let server = start_server(&ServerSpec::new(&db, NO_GRAPH)).await?;
    let http = client(4)?;
    let body = file(rows);
    step(format!(
        "uploading {rows} rows ({:.1} MB)",
        body.len() as f64 / 1e6
    ));
    let t0 = Instant::now();
    let res = http
        .post(format!("{}/api/v1/contact-imports", server.url))
        .bearer_auth(&tenant.api_key)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(res.status() == 201, "upload: {}", res.text().await?);
    let import: serde_json::Value = res.json().await?;
    let uploaded = t0.elapsed();
    let id = import["id"].as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(
        import["row_count"] == json!(rows),
        "row count: {}",
        import["row_count"]
    );

    let t1 = Instant::now();
    let res = http
        .post(format!("{}/api/v1/contact-imports/{id}/start", server.url))
        .bearer_auth(&tenant.api_key)
        .json(&json!({ "mode": "create_only" }))
        .send()
        .await?;
    anyhow::ensure!(res.status() == 202, "start: {}", res.text().await?);
    let path = format!("/api/v1/contact-imports/{id}");
    let done = loop {
        let status = get_json(&http, &server.url, &path, &tenant.api_key).await;
        if let Some(s) = status.filter(|s| s["status"] != "running") {
            break s;
        }
        anyhow::ensure!(
            t1.elapsed() < Duration::from_secs(900),
            "the import did not finish within 15 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let ran = t1.elapsed();
    let total = t0.elapsed();
    anyhow::ensure!(done["status"] == "finished", "the import ended: {done}");
    step(format!(
        "finished: {} created, {} rejected, in {:.1} s after an upload of {:.1} s",
        done["created"],
        done["rejected"],
        ran.as_secs_f64(),
        uploaded.as_secs_f64()
    ));
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    ctx.done(db).await;
    Ok(vec![
        Figure::new(
            S,
            format!("{rows}-row CSV: upload"),
            "s",
            uploaded.as_secs_f64(),
        ),
        Figure::new(S, "start to finished", "s", ran.as_secs_f64()),
        Figure::new(S, "upload to finished", "s", total.as_secs_f64()).target(Target::AtMost(60.0)),
        Figure::new(
            S,
            "rows per second",
            "rows/s",
            rows as f64 / ran.as_secs_f64(),
        ),
        Figure::new(
            S,
            "rows rejected (bad number, duplicate)",
            "rows",
            done["rejected"].as_f64().unwrap_or(0.0),
        ),
        Figure::new(S, "server peak RSS", "MiB", rss),
    ])
}
