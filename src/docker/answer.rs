//! The head of an HTTP answer, and what it says when the server is not a Docker API: a web
//! server or a load balancer answering where the engine should.

use super::error::TransportError;

/// What an HTTP answer says about the server that gave it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// `HTTP/1.1 200 OK`.
    pub status_line: String,
    /// The `Server` header.
    pub server: Option<String>,
    /// Docker (engine and UCP's API) puts an `Api-Version` header on every answer: the
    /// newest API version the server speaks.
    pub api_version: Option<String>,
    /// The body is JSON, as every answer of the Docker API is.
    pub json: bool,
}

impl Answer {
    pub(super) fn of<B>(r: &hyper::Response<B>) -> Answer {
        let header = |name| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = r.status();
        Answer {
            status_line: format!(
                "{:?} {} {}",
                r.version(),
                status.as_u16(),
                status.canonical_reason().unwrap_or_default()
            )
            .trim_end()
            .to_string(),
            server: header("server"),
            api_version: header("api-version"),
            json: header("content-type").is_some_and(|t| t.contains("json")),
        }
    }
}

/// When the answer to the version negotiation is not the Docker API's: says what answered.
/// `answer` is the head of that answer, as the transport saw it.
pub fn not_docker(
    err: &bollard::errors::Error,
    answer: Option<&Answer>,
    address: &str,
) -> Option<TransportError> {
    use bollard::errors::Error as B;
    let answer = answer?;
    let body = match err {
        B::JsonDataError { contents, .. } => Some(contents.as_str()),
        B::JsonSerdeError { .. } | B::APIVersionParseError {} => None,
        // The API's refusals are JSON; a web page with an error status is not the API.
        B::DockerResponseServerError { message, .. }
            if answer.api_version.is_none() && !answer.json =>
        {
            Some(message.as_str())
        }
        _ => return None,
    };
    Some(not_docker_answer(answer, body, address))
}

/// A server that answered without being the Docker API: what it answered (`body`: the start of
/// its body, when read).
pub fn not_docker_answer(answer: &Answer, body: Option<&str>, address: &str) -> TransportError {
    let mut answered = format!("`{}`", answer.status_line);
    if let Some(server) = &answer.server {
        answered.push_str(&format!(" from `{}`", excerpt(server, 60)));
    }
    match body.map(|b| excerpt(b, 80)) {
        Some(b) if !b.is_empty() => answered.push_str(&format!(", body `{b}`")),
        Some(_) => answered.push_str(", with an empty body"),
        None => answered.push_str(", without a Docker API version"),
    }
    TransportError::NotDocker {
        address: address.into(),
        answered,
    }
}

/// The start of a server's text, safe to print: control characters escaped, at most `max`
/// characters.
fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
