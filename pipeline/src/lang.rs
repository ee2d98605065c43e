//! Language lists as catalogers write them (`vie;khm`, `vie, khm`,
//! `vie+khm`) and as Tesseract wants them (`vie+khm`).

/// Splits a language field into ISO 639-2 codes, in order, without repeats.
/// `auto` is kept as the single code `auto`.
pub fn parse(field: &str) -> Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for part in field.split([';', ',', '+', ' ', '\t']) {
        let code = part.trim().to_ascii_lowercase();
        if code.is_empty() {
            continue;
        }
        if !code.chars().all(|c| c.is_ascii_lowercase() || c == '_') || code.len() > 16 {
            return Err(format!(
                "'{part}' is not a language code such as vie or khm"
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Err("no language given".into());
    }
    if codes.len() > 1 && codes.iter().any(|c| c == "auto") {
        return Err("'auto' cannot be combined with other languages".into());
    }
    Ok(codes)
}

/// Tesseract's form: codes joined by `+`.
pub fn tesseract(codes: &[String]) -> String {
    codes.join("+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cataloger_form() {
        for f in [
            "vie;khm",
            "vie, khm",
            "vie+khm",
            " VIE ; khm ;",
            "vie khm vie",
        ] {
            assert_eq!(parse(f).unwrap(), vec!["vie", "khm"], "{f}");
        }
        assert_eq!(tesseract(&parse("khm").unwrap()), "khm");
        assert!(parse("").is_err());
        assert!(parse("vi-VN").is_err());
        assert!(parse("auto;vie").is_err());
    }
}
