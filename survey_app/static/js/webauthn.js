// The security-key step: asks the browser for a new credential (mode "create") or for an
// assertion (mode "get") with the options the server put in the page, then posts the answer
// as JSON. Binary fields travel as base64url, as py_webauthn reads them.
(function () {
  "use strict";
  var form = document.getElementById("key-form");
  var start = document.getElementById("key-start");
  var problem = document.getElementById("key-problem");
  if (!form || !start) return;

  function fromB64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: fromB64url(d.id), transports: d.transports };
    });
  }
  function show(message) {
    problem.textContent = message;
    problem.hidden = false;
    start.disabled = false;
    start.focus();
  }

  start.addEventListener("click", function () {
    if (!window.PublicKeyCredential) {
      show("This browser cannot use security keys. Use a code from your app instead.");
      return;
    }
    var options = JSON.parse(document.getElementById("key-options").textContent);
    options.challenge = fromB64url(options.challenge);
    var asking;
    if (form.dataset.mode === "create") {
      options.user.id = fromB64url(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      asking = navigator.credentials.create({ publicKey: options });
    } else {
      options.allowCredentials = descriptors(options.allowCredentials);
      asking = navigator.credentials.get({ publicKey: options });
    }
    start.disabled = true;
    asking.then(function (credential) {
      var response = credential.response;
      var answer = {
        id: credential.id,
        rawId: toB64url(credential.rawId),
        type: credential.type,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: { clientDataJSON: toB64url(response.clientDataJSON) }
      };
      if (credential.authenticatorAttachment) {
        answer.authenticatorAttachment = credential.authenticatorAttachment;
      }
      if (form.dataset.mode === "create") {
        answer.response.attestationObject = toB64url(response.attestationObject);
        if (response.getTransports) answer.response.transports = response.getTransports();
      } else {
        answer.response.authenticatorData = toB64url(response.authenticatorData);
        answer.response.signature = toB64url(response.signature);
        if (response.userHandle) answer.response.userHandle = toB64url(response.userHandle);
      }
      document.getElementById("key-answer").value = JSON.stringify(answer);
      form.submit();
    }).catch(function () {
      show("The key did not answer (or the request was cancelled). Press the button to try again.");
    });
  });
})();
