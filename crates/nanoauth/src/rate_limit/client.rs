//! Who a request comes from, as the rate limits count it.

use std::net::{IpAddr, Ipv6Addr};

use http::request::Parts;

use crate::session::ClientAddr;

/// A client's bucket: its IPv4 address, or the /64 its IPv6 address is in.
/// One IPv6 subscriber is routinely given a whole /64, so counting single
/// addresses would give them 2^64 fresh buckets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClientKey(String);

impl ClientKey {
    pub(crate) fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !(u128::from(u64::MAX));
                Self(format!("{}/64", Ipv6Addr::from(prefix)))
            }
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// The client's address: the connection's peer or, when the peer is a
/// trusted proxy, the address the proxies saw. `None` without a
/// [`ClientAddr`].
///
/// `X-Forwarded-For` is read from the right, where our own proxies appended
/// what they saw, and the walk stops at the first address that is not a
/// trusted proxy. An entry that is not a plain IP address (`ip:port`,
/// `[v6]`, garbage) also stops it: whoever wrote it is not a proxy we know,
/// so nothing left of it can be believed. The client is then the last
/// address the walk reached.
///
/// Addresses are compared canonically: `::ffff:10.0.0.1` (a dual-stack
/// socket's view of an IPv4 peer) is `10.0.0.1`.
pub(crate) fn client_ip(parts: &Parts, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ClientAddr>()?.0.ip().to_canonical();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    // `None` stands for a header value that is not text: garbage too.
    let mut entries: Vec<Option<&str>> = Vec::new();
    for value in parts.headers.get_all("x-forwarded-for") {
        match value.to_str() {
            Ok(text) => entries.extend(text.split(',').map(|entry| Some(entry.trim()))),
            Err(_) => entries.push(None),
        }
    }
    let mut client = peer;
    for entry in entries.into_iter().rev() {
        let Some(ip) = entry.and_then(|entry| entry.parse::<IpAddr>().ok()) else {
            break;
        };
        client = ip.to_canonical();
        if !trusted_proxies.contains(&client) {
            break;
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|_| unreachable!("{text}"))
    }

    fn request(peer: &str, forwarded: &[&str]) -> Parts {
        let mut request = http::Request::get("/");
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let mut request = request.body(()).unwrap_or_default();
        request
            .extensions_mut()
            .insert(ClientAddr(std::net::SocketAddr::new(ip(peer), 1234)));
        request.into_parts().0
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let parts = request("203.0.113.9", &["198.51.100.1"]);
        assert_eq!(client_ip(&parts, &[]), Some(ip("203.0.113.9")));

        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The right-most untrusted entry: the one our proxy saw, not the one
        // the client wrote.
        let parts = request("10.0.0.1", &["6.6.6.6, 198.51.100.1"]);
        assert_eq!(client_ip(&parts, &proxies), Some(ip("198.51.100.1")));
        // Through two proxies, in two headers.
        let parts = request("10.0.0.1", &["6.6.6.6, 198.51.100.1", "10.0.0.2"]);
        assert_eq!(client_ip(&parts, &proxies), Some(ip("198.51.100.1")));
        // No header: the proxy itself.
        let parts = request("10.0.0.1", &[]);
        assert_eq!(client_ip(&parts, &proxies), Some(ip("10.0.0.1")));
        // No peer address at all.
        let parts = http::Request::get("/")
            .body(())
            .unwrap_or_default()
            .into_parts()
            .0;
        assert_eq!(client_ip(&parts, &proxies), None);
    }

    #[test]
    fn an_entry_that_is_not_an_address_ends_the_walk() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        for garbage in ["198.51.100.1:443", "[2001:db8::1]", "unknown", "", "1.2.3"] {
            // Left of the garbage is the client's own say: not believed.
            let forwarded = format!("6.6.6.6, {garbage}, 10.0.0.2");
            let parts = request("10.0.0.1", &[&forwarded]);
            assert_eq!(
                client_ip(&parts, &proxies),
                Some(ip("10.0.0.2")),
                "{forwarded}"
            );
            let forwarded = format!("6.6.6.6, {garbage}");
            let parts = request("10.0.0.1", &[&forwarded]);
            assert_eq!(
                client_ip(&parts, &proxies),
                Some(ip("10.0.0.1")),
                "{forwarded}"
            );
        }
        // A header value that is not even text ends it too.
        let mut parts = request("10.0.0.1", &["6.6.6.6"]);
        parts.headers.append(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"\xff").unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(client_ip(&parts, &proxies), Some(ip("10.0.0.1")));
    }

    #[test]
    fn ipv4_mapped_addresses_are_their_ipv4_address() {
        let proxies = [ip("10.0.0.1")];
        let parts = request("::ffff:10.0.0.1", &["::ffff:198.51.100.1"]);
        assert_eq!(client_ip(&parts, &proxies), Some(ip("198.51.100.1")));
        assert_eq!(
            ClientKey::of(ip("::ffff:198.51.100.1")).as_str(),
            "198.51.100.1"
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(
            ClientKey::of(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).as_str(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            ClientKey::of(ip("2001:db8:1:2::1")),
            ClientKey::of(ip("2001:db8:1:2:ffff::"))
        );
        assert_ne!(
            ClientKey::of(ip("2001:db8:1:2::1")),
            ClientKey::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(ClientKey::of(ip("203.0.113.7")).as_str(), "203.0.113.7");
    }
}
