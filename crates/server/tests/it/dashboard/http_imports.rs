//! Contacts → Import over plain HTTP, on both engines: the link from the
//! contact list, the upload form (multipart, its CSRF part checked), the
//! mapping page with the suggestions chosen, the progress page (polled
//! while running, refreshed without JavaScript) and its end with the
//! counts and the rejected rows' download. Viewers are refused.

use super::client::{Browser, Page};
use domain::Role;
use testkit::{TestApp, engines};

const BOUNDARY: &str = "----switchboard-test-7MA4YWxkTrZu0gW";

/// Posts `parts` (name, file name, value) as `multipart/form-data`, with
/// `b`'s cookies, without following redirects.
async fn post_multipart(
    app: &TestApp,
    b: &Browser,
    path: &str,
    parts: &[(&str, Option<&str>, &str)],
) -> Page {
    let mut body = String::new();
    for (name, file, value) in parts {
        body.push_str(&format!("--{BOUNDARY}\r\n"));
        match file {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"
            )),
            None => body.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    let cookies: Vec<String> = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .post(format!("{}{path}", app.url))
        .header("cookie", cookies.join("; "))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    Page {
        status: res.status().as_u16(),
        location: res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned()),
        headers: res.headers().clone(),
        html: res.text().await.unwrap_or_default(),
    }
}

const FILE: &str = "Phone,Name,Shoe size\n+44 7911 500001,Ann\u{e9},41\n+44 7911 500002,Bob,44\nnot a phone,Cy,39\n";

#[tokio::test]
async fn dashboard_import_uploads_maps_and_shows_progress_to_the_end() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-import").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let list = b.get("/app/contacts").await;
        assert!(
            list.html.contains("href=\"/app/contacts/import\""),
            "{}",
            list.html
        );

        let form = b.get("/app/contacts/import").await;
        assert_eq!(form.status, 200);
        assert!(
            form.html.contains("enctype=\"multipart/form-data\"")
                && form.html.contains("No imports yet")
        );
        let csrf = form.csrf();

        // The CSRF part must come, and match.
        let r = post_multipart(
            &app,
            &b,
            "/app/contacts/import",
            &[("file", Some("customers.csv"), FILE)],
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.html);
        let r = post_multipart(
            &app,
            &b,
            "/app/contacts/import",
            &[
                ("csrf", None, "forged"),
                ("file", Some("customers.csv"), FILE),
            ],
        )
        .await;
        assert_eq!(r.status, 403);
        // An empty file is refused beside the form.
        let r = post_multipart(
            &app,
            &b,
            "/app/contacts/import",
            &[("csrf", None, &csrf), ("file", Some("e.csv"), "")],
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("id=\"import-error\"") && r.html.contains("empty"),
            "{}",
            r.html
        );

        let r = post_multipart(
            &app,
            &b,
            "/app/contacts/import",
            &[("csrf", None, &csrf), ("file", Some("customers.csv"), FILE)],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let at = r.location.unwrap();
        assert!(at.starts_with("/app/contacts/import/"), "{at}");

        // The mapping page: a select per column, the suggestions chosen.
        let map = b.get(&at).await;
        assert_eq!(map.status, 200);
        assert!(
            map.html.contains("Map the columns of customers.csv"),
            "{}",
            map.html
        );
        assert!(map.html.contains("3 rows"));
        let chosen = |page: &Page, col: usize| {
            let start = page.html.find(&format!("name=\"col_{col}\"")).unwrap();
            let select = &page.html[start..start + page.html[start..].find("</select>").unwrap()];
            let at = select.find(" selected").unwrap();
            let value = &select[..at];
            value[value.rfind("value=\"").unwrap() + 7..]
                .trim_end_matches('"')
                .to_owned()
        };
        assert_eq!(
            (chosen(&map, 0), chosen(&map, 1), chosen(&map, 2)),
            ("phone".into(), "name".into(), "skip".into())
        );
        assert!(
            map.html.contains("Ann\u{e9} · Bob · Cy"),
            "the first values are shown"
        );

        // No phone column: refused on the page, with the choices kept.
        let csrf = map.csrf();
        let start = format!("{at}/start");
        let form = [
            ("csrf", csrf.as_str()),
            ("col_0", "skip"),
            ("col_1", "name"),
            ("col_2", "skip"),
            ("mode", "create_or_update"),
        ];
        let r = b.post(&start, &form).await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("id=\"import-error\"") && r.html.contains("phone"),
            "{}",
            r.html
        );
        assert!(r.html.contains("value=\"create_or_update\" checked"));

        let form = [
            ("csrf", csrf.as_str()),
            ("col_0", "phone"),
            ("col_1", "name"),
            ("col_2", "skip"),
            ("mode", "create_only"),
        ];
        let r = b.post(&start, &form).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some(at.as_str())),
            "{}",
            r.html
        );

        // Running: polled by the script, refreshed without it.
        let p = b.get(&at).await;
        assert!(
            p.html
                .contains("data-import-poll=\"/api/v1/contact-imports/"),
            "{}",
            p.html
        );
        assert!(p.html.contains("<noscript><meta http-equiv=\"refresh\""));
        assert!(
            p.html
                .contains("id=\"import-progress\" max=\"3\" value=\"0\"")
        );

        app.drain().await;
        let p = b.get(&at).await;
        assert!(p.html.contains(">finished<"), "{}", p.html);
        assert!(!p.html.contains("data-import-poll") && !p.html.contains("http-equiv"));
        assert!(
            p.html
                .contains("id=\"import-progress\" max=\"3\" value=\"3\"")
        );
        assert!(
            p.html.contains("id=\"import-created\">2<")
                && p.html.contains("id=\"import-rejected\">1<")
        );
        assert!(
            p.html.contains("<p id=\"import-rejected-link\" >"),
            "the download link shows: {}",
            p.html
        );
        let csv = b.get(&format!("{at}/rejected.csv")).await;
        assert_eq!(csv.status, 200);
        assert!(
            csv.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert!(
            csv.html
                .starts_with("Phone,Name,Shoe size,error\r\nnot a phone,Cy,39,\"phone: "),
            "{}",
            csv.html
        );
        let listed = b.get("/app/contacts").await;
        assert!(listed.html.contains("Ann\u{e9}") && listed.html.contains("Bob"));
        let imports = b.get("/app/contacts/import").await;
        assert!(imports.html.contains("customers.csv") && imports.html.contains(">finished<"));

        // A file far past the server's usual body limit (1 MiB) is taken.
        let mut big = String::from("phone,name\n");
        for i in 0..50_000 {
            big.push_str(&format!("+4479{i:08},Customer number {i}\n"));
        }
        assert!(big.len() > 1_500_000);
        let csrf = imports.csrf();
        let r = post_multipart(
            &app,
            &b,
            "/app/contacts/import",
            &[("csrf", None, &csrf), ("file", Some("big.csv"), &big)],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let map = b.get(r.location.as_deref().unwrap()).await;
        assert!(map.html.contains("50000 rows"), "{}", map.html);

        // Viewers do not import.
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let mut v = Browser::sign_in(&app, &t.slug, &viewer.email, &viewer.password).await;
        assert_eq!(v.get("/app/contacts/import").await.status, 403);
        assert!(
            !v.get("/app/contacts")
                .await
                .html
                .contains("/app/contacts/import")
        );
    }
}
