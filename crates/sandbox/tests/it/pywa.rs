//! The requests pywa 4.5 sends for account, profile, template and media calls
//! (paths, `fields=` lists, filters, bodies copied from its `api.py` /
//! `client.py`) get 200 and the shapes pywa parses.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// `BusinessPhoneNumber._api_fields()`.
const PHONE_FIELDS: &str = "id,verified_name,display_phone_number,conversational_automation,status,\
quality_rating,quality_score,webhook_configuration,name_status,new_name_status,code_verification_status,\
account_mode,is_on_biz_app,is_official_business_account,is_pin_enabled,is_preverified_number,\
search_visibility,platform_type,throughput,eligibility_for_api_business_global_search,health_status,\
certificate,new_certificate,last_onboarded_time,country_code,country_dial_code,\
whatsapp_business_manager_messaging_limit";

/// `TemplateDetails._api_fields()`.
const TEMPLATE_FIELDS: &str = "id,name,language,category,status,components,parameter_format,\
message_send_ttl_seconds,correct_category,previous_category,rejected_reason,library_template_name,\
quality_score,cta_url_link_tracking_opted_out,sub_category,degrees_of_freedom_spec";

/// `WhatsAppBusinessAccount._api_fields()`.
const WABA_FIELDS: &str = "id,name,timezone_id,message_template_namespace,status,\
business_verification_status,is_enabled_for_insights,marketing_messages_lite_api_status,\
marketing_messages_onboarding_status,on_behalf_of_business_info,ownership_type,health_status,currency,\
country,subscribed_apps,owner_business_info,account_review_status,disable_marketing_messages_on_cloud_api";

const TEMPLATE_SUMMARY: &str =
    "total_count,message_template_count,message_template_limit,are_translations_complete";

impl Env {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/{path}", self.graph))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn pywa_phone_number_and_waba_calls_get_every_known_field() {
    let env = Env::start().await;
    let (s, one) = env
        .get(&format!("{PNID}?fields={PHONE_FIELDS}"), Some(TOKEN))
        .await;
    assert_eq!(s, 200, "{one}");
    for f in [
        "verified_name",
        "display_phone_number",
        "quality_rating",
        "code_verification_status",
        "platform_type",
        "throughput",
        "name_status",
        "new_name_status",
        "status",
        "account_mode",
        "is_official_business_account",
        "is_pin_enabled",
        "last_onboarded_time",
        "webhook_configuration",
        "health_status",
    ] {
        assert!(one.get(f).is_some(), "{f} missing: {one}");
    }
    assert_eq!(one["id"], PNID);
    assert_eq!(one["webhook_configuration"]["application"], env.rx.url);
    assert_eq!(one["health_status"]["can_send_message"], "AVAILABLE");
    assert!(one.get("certificate").is_none(), "no value -> left out");

    let (s, tier) = env
        .get(
            &format!("{PNID}?fields=messaging_limit_tier,status"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(keys(&tier), ["id", "messaging_limit_tier", "status"]);

    let (s, list) = env
        .get(
            &format!("{WABA}/phone_numbers?fields={PHONE_FIELDS}"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["data"][0]["id"], PNID);
    assert!(list["data"][0]["is_pin_enabled"].is_boolean());
    assert!(list["paging"]["cursors"]["after"].is_string());

    let (s, waba) = env
        .get(&format!("{WABA}?fields={WABA_FIELDS}"), Some(TOKEN))
        .await;
    assert_eq!(s, 200, "{waba}");
    assert_eq!(waba["id"], WABA);
    assert!(waba["name"].is_string() && waba["timezone_id"].is_string());
    let app = &waba["subscribed_apps"]["data"][0]["whatsapp_business_api_data"];
    assert!(app["id"].is_string() && app["name"].is_string() && app["link"].is_string());
    let (_, narrow) = env
        .get(&format!("{WABA}?fields=currency"), Some(TOKEN))
        .await;
    assert_eq!(narrow, json!({"currency": "USD", "id": WABA}));
    assert_error(
        &env.get(&format!("{WABA}?fields=bogus"), Some(TOKEN)).await,
        400,
        100,
    );
}

#[tokio::test]
async fn pywa_business_profile_round_trip() {
    let env = Env::start().await;
    let path = format!("{PNID}/whatsapp_business_profile");
    let fields = "about,address,vertical,description,email,profile_picture_url,websites";
    let (s, fresh) = env
        .call(Method::GET, &format!("{path}?fields={fields}"), None)
        .await;
    assert_eq!(s, 200, "{fresh}");
    assert_eq!(fresh["data"][0]["messaging_product"], "whatsapp");
    assert!(fresh["data"][0]["vertical"].is_string());

    let update = json!({"about": "Open 9-5", "address": "1 Road", "description": "Shop",
        "email": "hi@acme.example", "profile_picture_handle": "4::aW1hZ2U=:ARb",
        "vertical": "RETAIL", "websites": ["https://acme.example", "https://m.acme.example"],
        "messaging_product": "whatsapp"});
    let r = env.call(Method::POST, &path, Some(update)).await;
    assert_eq!(r, (200, json!({"success": true})));

    let (_, got) = env
        .call(Method::GET, &format!("{path}?fields={fields}"), None)
        .await;
    let p = &got["data"][0];
    assert_eq!(p["about"], "Open 9-5");
    assert_eq!(p["vertical"], "RETAIL");
    assert_eq!(p["websites"][1], "https://m.acme.example");
    assert!(p["profile_picture_url"].is_string());
    let (_, only) = env
        .call(Method::GET, &format!("{path}?fields=about"), None)
        .await;
    assert_eq!(
        only,
        json!({"data": [{"about": "Open 9-5", "messaging_product": "whatsapp"}]})
    );

    // pywa sends "" for fields set to None: they are cleared, not refused.
    let clear = json!({"address": "", "websites": "", "messaging_product": "whatsapp"});
    assert_eq!(env.call(Method::POST, &path, Some(clear)).await.0, 200);
    for bad in [
        json!({"vertical": "SPACESHIPS", "messaging_product": "whatsapp"}),
        json!({"about": "x".repeat(140), "messaging_product": "whatsapp"}),
        json!({"websites": ["https://a", "https://b", "https://c"], "messaging_product": "whatsapp"}),
        json!({"about": "no product"}),
    ] {
        assert_error(&env.call(Method::POST, &path, Some(bad)).await, 400, 100);
    }
    let other = env
        .http
        .get(format!("{}/{path}", env.graph))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 401);
}

#[tokio::test]
async fn pywa_template_calls_accept_every_documented_field() {
    let env = Env::start().await;
    env.seed_template("seeded_one");
    let created = json!({"name": "seasonal_promotion", "language": "en_US", "category": "MARKETING",
        "parameter_format": "NAMED", "message_send_ttl_seconds": 3600, "allow_category_change": true,
        "sub_category": "CUSTOM", "cta_url_link_tracking_opted_out": true,
        "degrees_of_freedom_spec": {"creative_features_spec": {"image_touchups": {"enroll_status": "OPT_IN"}}},
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Our {{sale}} is on!",
             "example": {"header_text_named_params": [{"param_name": "sale", "example": "Summer Sale"}]}},
            {"type": "BODY", "text": "Shop until {{end}}",
             "example": {"body_text_named_params": [{"param_name": "end", "example": "August"}]}},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop"}]}]});
    let url = format!("{WABA}/message_templates");
    let (s, c) = env.call(Method::POST, &url, Some(created)).await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();

    let (s, one) = env
        .get(&format!("{id}?fields={TEMPLATE_FIELDS}"), Some(TOKEN))
        .await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(one["parameter_format"], "NAMED");
    assert_eq!(one["message_send_ttl_seconds"], 3600);
    assert_eq!(one["sub_category"], "CUSTOM");
    assert_eq!(one["cta_url_link_tracking_opted_out"], true);
    assert!(one["quality_score"]["score"].is_string() && one["quality_score"]["date"].is_i64());
    assert!(one.get("correct_category").is_none());

    let edit = json!({"message_send_ttl_seconds": 7200, "category": "UTILITY"});
    let (s, e) = env.call(Method::POST, &id, Some(edit)).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        e,
        json!({"success": true, "id": id, "name": "seasonal_promotion", "category": "UTILITY"})
    );
    let (_, after) = env
        .get(
            &format!("{id}?fields=message_send_ttl_seconds,previous_category"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        after,
        json!({"message_send_ttl_seconds": 7200, "previous_category": "MARKETING", "id": id})
    );

    let bad = json!({"name": "x", "language": "en_US", "category": "UTILITY",
        "parameter_format": "FANCY", "components": [{"type": "BODY", "text": "x"}]});
    assert_error(&env.call(Method::POST, &url, Some(bad)).await, 400, 100);

    let del = format!("{url}?name=seasonal_promotion&hsm_id={id}");
    assert_eq!(
        env.call(Method::DELETE, &del, None).await,
        (200, json!({"success": true}))
    );
}

#[tokio::test]
async fn pywa_template_list_filters_pages_and_summarises() {
    let env = Env::start().await;
    for name in ["alpha_one", "alpha_two", "beta_three"] {
        env.seed_template(name);
    }
    let (_, seeded) = env
        .control(
            Method::POST,
            "templates",
            Some(
                json!({"waba_id": WABA, "name": "alpha_pending", "category": "MARKETING",
                "status": "PENDING"}),
            ),
        )
        .await;
    assert!(seeded["id"].is_string());

    let base = format!(
        "{WABA}/message_templates?fields={TEMPLATE_FIELDS}&summary={TEMPLATE_SUMMARY}\
         &status=APPROVED,PENDING&category=UTILITY&language=en_US&name=alpha&limit=1"
    );
    let (s, page) = env.get(&base, Some(TOKEN)).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["data"][0]["name"], "alpha_one");
    assert_eq!(
        page["summary"],
        json!({"total_count": 2, "message_template_count": 4,
            "message_template_limit": 250, "are_translations_complete": true})
    );
    let cursors = &page["paging"]["cursors"];
    assert!(cursors["before"].is_string() && cursors["after"].is_string());
    let next = page["paging"]["next"].as_str().unwrap();
    let page2: Value = env
        .http
        .get(next)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page2["data"][0]["name"], "alpha_two", "{page2}");
    assert!(page2["data"][0]["quality_score"].is_object(), "fields kept");
    assert_eq!(page2["summary"]["total_count"], 2, "filters kept");
    assert!(page2["paging"].get("next").is_none());

    let (_, content) = env
        .get(
            &format!("{WABA}/message_templates?content=hello&quality_score=UNKNOWN&fields=name"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(content["data"].as_array().unwrap().len(), 4, "{content}");
    let (_, plain) = env
        .get(
            &format!("{WABA}/message_templates?summary=total_count"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(plain["summary"], json!({"total_count": 4}));
    assert_error(
        &env.get(
            &format!("{WABA}/message_templates?status=SHINY"),
            Some(TOKEN),
        )
        .await,
        400,
        100,
    );
}

#[tokio::test]
async fn pywa_media_calls_with_phone_number_id() {
    let env = Env::start().await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![0xff, 0xd8, 0xff, 0])
                .file_name("a.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        )
        .text("messaging_product", "whatsapp")
        .text("type", "image/jpeg")
        .text("ttl_minutes", "60");
    let r = env
        .http
        .post(format!("{}/{PNID}/media", env.graph))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, info) = env.call(Method::GET, &id, None).await;
    assert_eq!(
        (s, info["messaging_product"].as_str()),
        (200, Some("whatsapp"))
    );
    assert_error(
        &env.call(Method::DELETE, &format!("{id}?phone_number_id=999"), None)
            .await,
        400,
        100,
    );
    assert_eq!(
        env.call(
            Method::DELETE,
            &format!("{id}?phone_number_id={PNID}"),
            None
        )
        .await,
        (200, json!({"success": true}))
    );
}
