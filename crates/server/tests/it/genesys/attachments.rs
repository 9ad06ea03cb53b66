//! Attachments both ways: a customer's photo reaches Genesys as an
//! attachment Genesys fetches through a signed, expiring link to our media
//! store; an agent's image reaches the customer as a WhatsApp image sent
//! by link, with the agent's words as its caption.

use super::{PNID, advance, linked};
use base64::Engine as _;
use genesys::sandbox::AgentAttachment;
use sandbox::{InboundContent, InboundMedia, InboundMessage};
use serde_json::json;
use testkit::each_engine_with_genesys;

const ANA: &str = "16505550111";

#[tokio::test]
async fn photos_go_both_ways_and_the_customers_link_is_signed_and_expires() {
    each_engine_with_genesys(|g| async move {
        let (_t, _channel, link) = linked(&g, "genesys-media", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();

        // The customer's photo, with a caption.
        let photo: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
        let media = InboundMedia {
            caption: Some("The box arrived broken".into()),
            mime_type: Some("image/png".into()),
            data_base64: Some(base64::engine::general_purpose::STANDARD.encode(&photo)),
            ..Default::default()
        };
        g.sandbox
            .send_inbound(InboundMessage::new(PNID, ANA, InboundContent::Image(media)))
            .unwrap();
        g.eventually("the photo reaches Genesys", || async {
            g.genesys
                .inbound()
                .iter()
                .any(|r| r.body.channel.from.id == ANA)
        })
        .await;
        let inbound = g.genesys.inbound();
        assert_eq!(inbound.len(), 1, "one message: {inbound:?}");
        let got = &inbound[0];
        assert_eq!(got.body.text.as_deref(), Some("The box arrived broken"));
        let attachments: Vec<_> = got
            .body
            .content
            .iter()
            .filter(|c| c.content_type == "Attachment")
            .filter_map(|c| c.attachment.clone())
            .collect();
        assert_eq!(attachments.len(), 1, "one attachment: {:?}", got.body);
        let a = &attachments[0];
        assert_eq!(a.media_type, "Image");
        assert_eq!(a.mime.as_deref(), Some("image/png"));
        // Genesys fetched it, whole.
        assert_eq!(got.fetched.len(), 1);
        let fetched = &got.fetched[0];
        assert_eq!(fetched.url, a.url);
        assert_eq!(fetched.status, 200, "Genesys could not fetch {}", a.url);
        assert_eq!(fetched.bytes, photo.len());
        assert!(
            fetched
                .mime
                .as_deref()
                .is_some_and(|m| m.starts_with("image/png")),
            "{fetched:?}"
        );

        // The link is signed: works as given, not with another signature.
        let url = url::Url::parse(&a.url).unwrap();
        assert!(url.as_str().starts_with(&g.url), "a link to us: {url}");
        let sig = url
            .query_pairs()
            .find(|(k, _)| k == "sig")
            .map(|(_, v)| v.into_owned())
            .expect("the link carries a signature");
        assert!(url.query_pairs().any(|(k, _)| k == "expires"), "{url}");
        let get = |u: String| {
            let client = g.client.clone();
            async move { client.get(u).send().await.unwrap() }
        };
        let ok = get(a.url.clone()).await;
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(ok.bytes().await.unwrap().len(), photo.len());
        let mut flipped: Vec<char> = sig.chars().collect();
        flipped[0] = if flipped[0] == 'a' { 'b' } else { 'a' };
        let flipped: String = flipped.into_iter().collect();
        let tampered = a
            .url
            .replace(&format!("sig={sig}"), &format!("sig={flipped}"));
        assert_ne!(tampered, a.url);
        assert_eq!(get(tampered).await.status().as_u16(), 403);
        // Nor with a later expiry under the same signature.
        let expires: i64 = url
            .query_pairs()
            .find(|(k, _)| k == "expires")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap();
        let stretched = a.url.replace(
            &format!("expires={expires}"),
            &format!("expires={}", expires + 86_400),
        );
        assert_eq!(get(stretched).await.status().as_u16(), 403);
        // An hour later it opens nothing.
        advance(&g, 3_601);
        assert_eq!(get(a.url.clone()).await.status().as_u16(), 403);

        // The agent sends an image with words: one WhatsApp image, by
        // link, the words as its caption.
        let picture: Vec<u8> = (0..200u8).collect();
        let attachment = AgentAttachment {
            media_type: "Image".into(),
            mime: "image/png".into(),
            filename: "return-label.png".into(),
            bytes: picture,
        };
        let (status, _) = g
            .genesys
            .agent_reply(
                &integration,
                ANA,
                Some("Print this label, please"),
                Some(attachment),
            )
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("the customer has the agent's image", || async {
            !g.sandbox.received(PNID, ANA).is_empty()
        })
        .await;
        g.drain().await;
        let received = g.sandbox.received(PNID, ANA);
        assert_eq!(received.len(), 1, "one message: {received:?}");
        let m = &received[0];
        assert_eq!(m.kind, "image", "{m:?}");
        let link = m.content["link"].as_str().unwrap_or_default();
        assert!(
            link.starts_with(&format!("{}/downloads/", g.genesys.base_url())),
            "sent by Genesys' link: {}",
            m.content
        );
        assert_eq!(m.content["caption"], "Print this label, please");
        assert!(m.content.get("id").is_none_or(|v| v.is_null()));
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_agents_image_with_words_longer_than_a_caption_reaches_the_customer_whole() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) =
            linked(&g, "genesys-long-caption", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        super::says(&g, &t, ANA, "How do I return it?").await;
        g.eventually("the message reaches Genesys", || async {
            !g.genesys.inbound().is_empty()
        })
        .await;

        // WhatsApp takes captions of at most 1,024 characters, texts of
        // 4,096: these 1,500 must still reach the customer, whole.
        let words = format!("Steps to return your order: {}", "x".repeat(1_470));
        assert_eq!(words.chars().count(), 1_498);
        let attachment = AgentAttachment {
            media_type: "Image".into(),
            mime: "image/png".into(),
            filename: "steps.png".into(),
            bytes: (0..100u8).collect(),
        };
        let (status, genesys_id) = g
            .genesys
            .agent_reply(&integration, ANA, Some(&words), Some(attachment))
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("Genesys has a final receipt for it", || async {
            g.genesys.receipts().iter().any(|r| r.body.id == genesys_id)
        })
        .await;
        g.drain().await;
        let receipts: Vec<_> = g
            .genesys
            .receipts()
            .into_iter()
            .filter(|r| r.body.id == genesys_id)
            .map(|r| (r.body.status, r.body.reasons))
            .collect();
        assert!(
            receipts.iter().all(|(s, _)| s == "Delivered"),
            "the agent's message failed: {receipts:?}"
        );
        let received = g.sandbox.received(PNID, ANA);
        assert!(
            received.iter().any(|m| m.kind == "image"),
            "the customer has the image: {received:?}"
        );
        let said: String = received
            .iter()
            .filter_map(|m| {
                m.content["body"]
                    .as_str()
                    .or_else(|| m.content["caption"].as_str())
            })
            .collect();
        assert!(said.contains(&words), "the customer has the words, whole");
        g.stop().await;
    })
    .await;
}
