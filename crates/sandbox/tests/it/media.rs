//! Media upload, retrieve, download and delete; customer media.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

fn multipart(boundary: &str, product: &str, mime: &str, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in [("messaging_product", product), ("type", mime)] {
        b.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    b.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\nContent-Type: {mime}\r\n\r\n"
        )
        .bytes(),
    );
    b.extend_from_slice(data);
    b.extend(format!("\r\n--{boundary}--\r\n").bytes());
    b
}

#[tokio::test]
async fn media_upload_retrieve_download_delete() {
    let env = Env::start().await;
    let upload = |product: &str, mime: &str, data: &[u8]| {
        env.http
            .post(format!("{}/{PNID}/media", env.graph))
            .bearer_auth(TOKEN)
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(multipart("XyZ", product, mime, data))
            .send()
    };
    let data = b"\xff\xd8\xff fake jpeg bytes";
    let r = upload("whatsapp", "image/jpeg", data).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    let bad = upload("whatsapp", "image/gif", data).await.unwrap();
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["code"], 100);
    let bad = upload("telegram", "image/jpeg", data).await.unwrap();
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["code"], 100);

    let (s, info) = env.get(&id, Some(TOKEN)).await;
    assert_eq!(s, 200);
    assert_eq!(info["messaging_product"], "whatsapp");
    assert_eq!(info["mime_type"], "image/jpeg");
    assert_eq!(info["file_size"], data.len());
    assert_eq!(info["id"], id.as_str());
    assert_eq!(info["sha256"].as_str().unwrap().len(), 64);
    let url = info["url"].as_str().unwrap();
    assert!(url.starts_with(&env.sb.base_url()), "{url}");
    assert_eq!(
        env.http.get(url).send().await.unwrap().status().as_u16(),
        401
    );
    let dl = env.http.get(url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(dl.headers()["content-type"], "image/jpeg");
    assert_eq!(dl.bytes().await.unwrap().as_ref(), data);
    let tampered = url.replace("hash=", "hash=0");
    assert_eq!(
        env.http
            .get(&tampered)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );

    // Customer media: the webhook id resolves to the bytes the customer sent.
    let receipt = env.control(Method::POST, "inbound", Some(json!({"phone_number_id": PNID, "from": CUSTOMER,
        "type": "document", "caption": "Invoice", "filename": "inv.pdf", "mime_type": "application/pdf",
        "data_base64": "JVBERi0xLjQK"}))).await.1;
    let hook = env.rx.wait_body(receipt["id"].as_str().unwrap()).await;
    let doc = &hook["entry"][0]["changes"][0]["value"]["messages"][0]["document"];
    assert_eq!(doc["filename"], "inv.pdf");
    let (_, info) = env.get(doc["id"].as_str().unwrap(), Some(TOKEN)).await;
    let bytes = env
        .http
        .get(info["url"].as_str().unwrap())
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), b"%PDF-1.4\n");

    let del = env
        .http
        .delete(format!("{}/{id}", env.graph))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(del.json::<Value>().await.unwrap(), json!({"success": true}));
    assert_error(&env.get(&id, Some(TOKEN)).await, 400, 100);
}
