//! Full-text search over messages finds the same things on both engines:
//! words as prefixes, every word required, never another tenant's.

use crate::dashboard::client::Browser;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";

async fn texts(wa: &WhatsAppTest, key: &str, q: &str) -> Vec<String> {
    let r = wa
        .get(
            &format!("/api/v1/search/messages?q={}", urlencode(q)),
            Auth::ApiKey(key),
        )
        .await;
    assert_eq!(r.status, 200, "{q}: {}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert_eq!(h["id"], h["message"]["id"]);
            assert!(h["contact_id"].is_string());
            h["message"]["content"]["text"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn words_find_messages_as_prefixes_on_both_engines_and_only_the_tenants_own() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("search-a").await;
        wa.connect_number(&t, PNID, WABA).await;
        for (who, text) in [
            ("16505551001", "Do you have oat milk?"),
            ("16505551002", "Is the café open on Sunday?"),
            ("16505551003", "Order #4417 arrived, thanks!"),
        ] {
            wa.sandbox.send_text(PNID, who, text).unwrap();
        }
        wa.eventually("three messages arrive", || async {
            wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await
                .body["items"]
                .as_array()
                .is_some_and(|i| i.len() == 3)
        })
        .await;
        let key = t.api_key.as_str();

        assert_eq!(texts(&wa, key, "oat").await, ["Do you have oat milk?"]);
        assert_eq!(texts(&wa, key, "OAT Milk").await, ["Do you have oat milk?"]);
        assert_eq!(
            texts(&wa, key, "oa").await,
            ["Do you have oat milk?"],
            "a prefix"
        );
        assert!(texts(&wa, key, "oat sunday").await.is_empty(), "every word");
        assert!(
            texts(&wa, key, "at").await.is_empty(),
            "words, not substrings"
        );
        assert_eq!(
            texts(&wa, key, "café").await,
            ["Is the café open on Sunday?"]
        );
        assert_eq!(
            texts(&wa, key, "4417").await,
            ["Order #4417 arrived, thanks!"]
        );
        assert_eq!(
            texts(&wa, key, "\"order\" OR (x*").await.len(),
            0,
            "operators are words, never query syntax"
        );
        assert_eq!(texts(&wa, key, "order: 4417!").await.len(), 1);

        // Newest first, paged.
        let all = wa
            .get("/api/v1/search/messages?q=o&limit=2", Auth::ApiKey(key))
            .await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
        let next = all.body["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_owned();
        let rest = wa
            .get(
                &format!("/api/v1/search/messages?q=o&limit=2&cursor={next}"),
                Auth::ApiKey(key),
            )
            .await;
        assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            rest.body["items"][0]["message"]["content"]["text"]["body"],
            "Do you have oat milk?"
        );

        // Nothing to search for.
        let r = wa
            .get("/api/v1/search/messages?q=%3F%21", Auth::ApiKey(key))
            .await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"));

        // Private notes are found the same way.
        let convs = wa.get("/api/v1/conversations", Auth::ApiKey(key)).await;
        let conv = convs.body["items"][0]["id"].as_str().unwrap().to_owned();
        let r = wa
            .post(
                "/api/v1/notes",
                Auth::ApiKey(key),
                serde_json::json!({ "conversation_id": conv, "body": "Regular: wants OAT milk, extra hot." }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let notes = |q: &'static str| {
            let (wa, key) = (&wa, key);
            async move {
                let r = wa
                    .get(&format!("/api/v1/search/notes?q={q}"), Auth::ApiKey(key))
                    .await;
                assert_eq!(r.status, 200, "{}", r.text);
                r.body["items"].as_array().unwrap().len()
            }
        };
        assert_eq!(notes("oat").await, 1);
        assert_eq!(notes("extra%20ho").await, 1);
        assert_eq!(notes("boat").await, 0);
        assert_eq!(texts(&wa, key, "extra").await.len(), 0, "notes are not messages");

        // Another tenant finds nothing of A's.
        let b = wa.create_tenant("search-b").await;
        assert!(texts(&wa, &b.api_key, "oat").await.is_empty());
        let r = wa
            .get("/api/v1/search/notes?q=oat", Auth::ApiKey(&b.api_key))
            .await;
        assert_eq!(r.body["items"], serde_json::json!([]));

        // The dashboard's search page shows the hit and its contact.
        let mut browser = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = browser.get("/app/search?q=oat").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("Do you have oat milk?"), "{}", page.html);
        assert!(!page.html.contains("Sunday"));
        assert!(page.html.contains("wants OAT milk"), "the note is listed");
        let none = browser.get("/app/search?q=%21%21").await;
        assert_eq!(none.status, 200);
        assert!(
            none.html.contains("Search for at least one word"),
            "{}",
            none.html
        );
    })
    .await;
}
