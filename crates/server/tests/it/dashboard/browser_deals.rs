//! The deal board in a browser (SQLite only, like browser.rs): create a
//! pipeline in Settings, add a deal on the board, drag it to another
//! column (the script posts the move and updates the columns in place),
//! see it there after a reload, move it again with the "Move to" form the
//! page has without the script, and mark it won on its page.
//!
//! The drag is dispatched as the HTML5 drag-and-drop events a browser
//! fires (dragstart, dragover, drop, dragend, with one DataTransfer):
//! WebDriver's pointer actions do not start HTML5 drags in Chromium.

use super::browser::sign_in;
use super::webdriver::Browser;
use serde_json::{Value, json};
use std::time::Duration;
use testkit::{Engine, TestApp};

/// The stage ids of the board's columns, in order.
async fn columns(b: &Browser) -> Vec<String> {
    let v = b
        .eval(
            "return Array.from(document.querySelectorAll('.stage-col')).map(c => c.dataset.stage)",
        )
        .await;
    serde_json::from_value(v).unwrap()
}

/// Drags `card` onto the column of `stage` with the events a browser fires.
async fn drag(b: &Browser, card: &str, stage: &str) {
    let script = format!(
        "var card = document.getElementById('deal-{card}');
         var col = document.querySelector('.stage-col[data-stage=\"{stage}\"]');
         var dt = new DataTransfer();
         var fire = function (el, type) {{
           el.dispatchEvent(new DragEvent(type, {{ bubbles: true, cancelable: true, dataTransfer: dt }}));
         }};
         fire(card, 'dragstart');
         fire(col, 'dragenter');
         fire(col.querySelector('.cards'), 'dragover');
         fire(col.querySelector('.cards'), 'drop');
         fire(card, 'dragend');
         return true;"
    );
    assert_eq!(b.eval(&script).await, json!(true));
}

async fn wait_for(b: &Browser, script: &str, want: Value) {
    let mut got = Value::Null;
    for _ in 0..200 {
        got = b.eval(script).await;
        if got == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("`{script}` is {got}, not {want}:\n{}", b.source().await);
}

#[tokio::test]
async fn browser_drags_a_deal_across_the_board_and_wins_it() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-deals").await;
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Settings → Pipelines: the first pipeline's stages are suggested.
    b.goto(&format!("{}/app/settings", app.url)).await;
    b.submit("nav.subnav a[href='/app/settings/pipelines']")
        .await;
    assert_eq!(
        b.eval("return document.querySelector('#create-pipeline textarea').value")
            .await,
        json!("Lead\nQualified\nProposal\nNegotiation")
    );
    b.fill("#create-pipeline input[name=name]", "Sales").await;
    b.submit("#create-pipeline button[type=submit]").await;
    assert_eq!(b.count("section.pipeline li.stage").await, 4);

    // The board, and a deal added from its form.
    b.submit("header nav a[href='/app/deals']").await;
    let stages = columns(&b).await;
    assert_eq!(stages.len(), 4, "{}", b.source().await);
    b.fill("#create-deal input[name=title]", "Espresso bar")
        .await;
    b.fill("#create-deal input[name=value]", "1250.50").await;
    b.fill("#create-deal input[name=currency]", "EUR").await;
    b.submit("#create-deal button[type=submit]").await;
    let lead = format!(".stage-col[data-stage='{}']", stages[0]);
    let qualified = format!(".stage-col[data-stage='{}']", stages[1]);
    let proposal = format!(".stage-col[data-stage='{}']", stages[2]);
    assert_eq!(b.count(&format!("{lead} .deal-card")).await, 1);
    assert_eq!(b.text(&format!("{lead} .total")).await, "€1,250.50");
    let deal = b
        .eval("return document.querySelector('.deal-card').dataset.deal")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    b.screenshot("deals-board").await;

    // Dragged to Qualified: moved in place, the columns' figures follow.
    b.eval("window.__sbSamePage = true; return true;").await;
    drag(&b, &deal, &stages[1]).await;
    wait_for(
        &b,
        "return document.getElementById('board').dataset.moved || null",
        json!("1"),
    )
    .await;
    assert_eq!(b.count(&format!("{qualified} .deal-card")).await, 1);
    assert_eq!(b.count(&format!("{lead} .deal-card")).await, 0);
    assert_eq!(b.text(&format!("{qualified} .count")).await, "1");
    assert_eq!(b.text(&format!("{qualified} .total")).await, "€1,250.50");
    assert_eq!(b.text(&format!("{lead} .count")).await, "0");
    assert_eq!(
        b.eval("return window.__sbSamePage === true").await,
        json!(true),
        "without a reload"
    );
    assert_eq!(
        b.eval(&format!(
            "return document.querySelector('#deal-{deal} select[name=stage_id]').value"
        ))
        .await,
        json!(stages[1]),
        "the card's own form follows"
    );

    // Saved: still there after a reload.
    b.goto(&format!("{}/app/deals", app.url)).await;
    assert_eq!(b.count(&format!("{qualified} #deal-{deal}")).await, 1);
    assert_eq!(b.count(&format!("{lead} .deal-card")).await, 0);

    // The "Move to" form (what works without the script) moves it too.
    b.click(&format!(
        "#deal-{deal} select[name=stage_id] option[value='{}']",
        stages[2]
    ))
    .await;
    b.submit(&format!("#deal-{deal} form.move button[type=submit]"))
        .await;
    assert_eq!(b.count(&format!("{proposal} #deal-{deal}")).await, 1);
    assert_eq!(b.count(&format!("{qualified} .deal-card")).await, 0);

    // Its page: the history of its stages; mark it won.
    b.submit(&format!("#deal-{deal} a.title")).await;
    let history = b.text("#stage-history").await;
    assert!(history.contains("Created in Lead"), "{history}");
    assert!(history.contains("Lead → Qualified"), "{history}");
    assert!(history.contains("Qualified → Proposal"), "{history}");
    b.submit("#win-deal button").await;
    assert_eq!(b.text("#deal-status").await, "won");
    b.screenshot("deal-won").await;
    b.goto(&format!("{}/app/deals", app.url)).await;
    assert_eq!(b.count(".deal-card").await, 0, "the board shows open deals");
    assert!(b.text("#closed-deals").await.contains("1 won"));
    b.quit().await;
    app.stop().await;
}
