//! Contacts → Import in a browser (SQLite only, like browser.rs): from the
//! contact list to the upload form, a real file chosen in the file input,
//! the mapping page with its suggestions, and the progress page that the
//! script keeps up to date until the import has finished, with the
//! rejected rows' link.

use super::browser::sign_in;
use super::webdriver::Browser;
use serde_json::json;
use testkit::{Engine, TestApp};

#[tokio::test]
async fn browser_imports_a_csv_file_and_watches_it_finish() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-import").await;
    let file = app.dir.canonicalize().unwrap().join("customers.csv");
    let mut csv = String::from("Mobile,Full name,Tags\n");
    for i in 0..2500 {
        csv.push_str(&format!("+44 7911 {i:06},Customer {i},newsletter\n"));
    }
    csv.push_str("call me,Nobody,\n");
    std::fs::write(&file, csv).unwrap();

    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/contacts", app.url)).await;
    b.submit("#import-contacts").await;
    assert!(b.current_url().await.ends_with("/app/contacts/import"));
    b.fill("#upload-import input[type=file]", file.to_str().unwrap())
        .await;
    b.submit("#upload-import button[type=submit]").await;

    // The mapping page, the suggestions chosen.
    assert!(b.text("h1").await.contains("customers.csv"));
    assert_eq!(
        b.eval("return document.getElementById('col_0').value")
            .await,
        json!("phone")
    );
    assert_eq!(
        b.eval("return document.getElementById('col_1').value")
            .await,
        json!("name")
    );
    assert_eq!(
        b.eval("return document.getElementById('col_2').value")
            .await,
        json!("tags")
    );
    b.screenshot("import-mapping").await;
    b.submit("#map-import button[type=submit]").await;
    assert_eq!(b.text("#import-state").await, "running");

    // The jobs run; the page follows by itself (no navigation here).
    app.drain().await;
    b.wait_for_text("#import-state", "finished").await;
    assert_eq!(b.text("#import-created").await, "2500");
    assert_eq!(b.text("#import-rejected").await, "1");
    assert_eq!(
        b.eval("return document.getElementById('import-progress').value")
            .await,
        json!(2501)
    );
    assert!(
        b.text("#import-rejected-link")
            .await
            .contains("Download the rejected rows")
    );
    b.screenshot("import-finished").await;
    b.quit().await;
}
