use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.extend(hex::decode(v)),
            _ => {}
        }
    }
    let Some(t) = t.filter(|t| (now - t).abs() <= 300) else {
        return false;
    };
    sigs.iter().any(|sig| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        mac.verify_slice(sig).is_ok() // constant time
    })
}
