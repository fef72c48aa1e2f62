// The page's logic: sign in with POST {api}/auth (a JSON body, never a query string), keep the
// tokens in this closure only (no localStorage, sessionStorage or cookies), call GET {api}/hello
// and show each answer: its status and message, or "blocked" when the browser (CORS) did not
// let the page read it. A token is never shown whole: its first 12 characters and its claims.
"use strict";
(function () {
  const config = window.KIT_CONFIG || {};
  const apiUrl = String(config.apiUrl || "").replace(/\/+$/, "");
  const BLOCKED = "blocked (network/CORS error): the browser did not let the page read the answer";
  // a well-formed JWT that no user pool signed: the authorizer refuses it with 401
  const BAD_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vdC1hLWtleSJ9." +
    "eyJzdWIiOiJub2JvZHkiLCJ0b2tlbl91c2UiOiJpZCJ9.bm90LWEtc2lnbmF0dXJl";
  const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;

  let tokens = null; // {idToken, accessToken, refreshToken}: this tab's memory only

  const $ = (id) => document.getElementById(id);

  function shortToken(token) {
    return token.slice(0, 12) + "…";
  }

  function redact(text) {
    return String(text).replace(JWT, (token) => shortToken(token));
  }

  function claimsOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
      const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      return {};
    }
  }

  function show(element, outcome, status, text) {
    element.dataset.outcome = outcome;
    element.dataset.status = status;
    element.textContent = text;
  }

  // The message an answer carries: API Gateway's {"message": ...}, else the body's text.
  function messageOf(body) {
    try {
      const doc = JSON.parse(body);
      if (doc && typeof doc === "object") {
        return redact(doc.message || doc.Message || JSON.stringify(doc));
      }
    } catch (err) {
      // not JSON: shown as it is (tokens shortened)
    }
    return redact(body).slice(0, 300);
  }

  // fetch, then {status, body}; {blocked: true, error} when the browser refused to give the
  // answer to the page (no Access-Control-Allow-Origin, a failed preflight, a network error)
  async function call(path, init) {
    try {
      const response = await fetch(apiUrl + path, {
        ...init,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { blocked: true, error: String(error) };
    }
  }

  function renderTokens() {
    const box = $("token-summary");
    box.replaceChildren();
    if (!tokens) {
      box.hidden = true;
      return;
    }
    const claims = claimsOf(tokens.idToken);
    const expires = Number(claims.exp)
      ? new Date(Number(claims.exp) * 1000).toISOString().replace(".000Z", "Z")
      : "?";
    const rows = [
      ["ID token", shortToken(tokens.idToken)],
      ["cognito:username", claims["cognito:username"] || "?"],
      ["token_use", claims.token_use || "?"],
      ["expires (exp)", expires],
      ["kept", "in this tab's memory only (access and refresh tokens too, never shown)"],
    ];
    const table = document.createElement("table");
    table.className = "claims";
    for (const [name, value] of rows) {
      const tr = table.insertRow();
      tr.insertCell().textContent = name;
      const cell = tr.insertCell();
      cell.textContent = value;
      cell.dataset.claim = name;
    }
    box.append(table);
    box.hidden = false;
  }

  async function signIn(event) {
    event.preventDefault();
    const out = $("sign-in-result");
    const username = $("username").value;
    const password = $("password").value;
    show(out, "none", "", "signing in…");
    tokens = null;
    renderTokens();
    const answer = await call("/auth", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (answer.blocked) {
      show(out, "blocked", "blocked", "POST /auth: " + BLOCKED);
      return;
    }
    let result = null;
    try {
      result = JSON.parse(answer.body).AuthenticationResult || null;
    } catch (err) {
      result = null;
    }
    if (answer.status === 200 && result && result.IdToken) {
      tokens = {
        idToken: result.IdToken,
        accessToken: result.AccessToken,
        refreshToken: result.RefreshToken,
      };
      const who = claimsOf(tokens.idToken)["cognito:username"] || username;
      show(out, "ok", "200", "POST /auth: 200 signed in as " + who);
      renderTokens();
      return;
    }
    const outcome = answer.status < 400 ? "ok" : "refused";
    show(out, outcome, String(answer.status), "POST /auth: " + answer.status + " " +
      (answer.status === 200 ? "no tokens in the answer" : messageOf(answer.body)));
  }

  async function callHello(label, token) {
    const out = $("hello-result");
    if (label === "ID token" && !token) {
      show(out, "none", "not-signed-in", "GET /hello (ID token): not signed in yet; sign in first");
      return;
    }
    show(out, "none", "", "GET /hello (" + label + ")…");
    const headers = token ? { Authorization: token } : {};
    const answer = await call("/hello", { method: "GET", headers });
    const prefix = "GET /hello (" + label + "): ";
    if (answer.blocked) {
      show(out, "blocked", "blocked", prefix + BLOCKED);
      return;
    }
    const outcome = answer.status < 400 ? "ok" : "refused";
    show(out, outcome, String(answer.status), prefix + answer.status + " " +
      messageOf(answer.body));
  }

  $("page-origin").textContent = window.location.origin;
  $("api-url").textContent = apiUrl || "(no API URL: serve this page with `make web`)";
  $("sign-in-form").addEventListener("submit", signIn);
  $("call-hello").addEventListener("click", () => callHello("ID token", tokens && tokens.idToken));
  $("call-hello-no-token").addEventListener("click", () => callHello("no token", null));
  $("call-hello-bad-token").addEventListener("click", () => callHello("bad token", BAD_TOKEN));
})();
