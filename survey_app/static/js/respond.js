// Respondent pages: read-aloud, the idle timeout (kiosk and links), and one click per send.
// Everything here is an extra: without JavaScript the pages work and these buttons stay hidden.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");

  // Read-aloud: the device's own voice for the page's language where it has one (no internet,
  // no service); else the audio the server made of the same words (data-audio, eSpeak NG).
  // With neither, the button stays hidden: never a button that is silent. The kiosk's set-up
  // page tells the fieldworker which languages this device and server can read.
  var readButtons = document.querySelectorAll("button.read-aloud");
  var player = document.getElementById("read-aloud-audio");
  var hasSpeech = "speechSynthesis" in window;
  var lang = form ? form.getAttribute("data-lang") : "en-GB";
  var wanted = lang.toLowerCase().split("-")[0];
  var voiceFor = function () {
    var voices = hasSpeech ? window.speechSynthesis.getVoices() || [] : [];
    for (var i = 0; i < voices.length; i++) {
      var code = String(voices[i].lang || "").toLowerCase().replace("_", "-").split("-")[0];
      if (code === wanted) { return voices[i]; }
    }
    return null;
  };
  var showButtons = function () {
    var voice = voiceFor();
    readButtons.forEach(function (button) {
      button.hidden = !voice && !(player && button.hasAttribute("data-audio"));
    });
  };
  showButtons();
  // Voices may arrive after the page (Chrome loads them late).
  if (hasSpeech && window.speechSynthesis.addEventListener) {
    window.speechSynthesis.addEventListener("voiceschanged", showButtons);
  }
  readButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var voice = voiceFor();
      if (voice) {
        var target = document.getElementById(button.getAttribute("data-read"));
        if (!target) { return; }
        var parts = [];
        target.querySelectorAll(".question-text, .hint, .option span").forEach(function (el) {
          if (!el.parentElement.closest(".option span")) { parts.push(el.textContent.trim()); }
        });
        var text = parts.length ? parts.join(". ") : target.textContent.trim();
        var utterance = new SpeechSynthesisUtterance(text.replace(/\s+/g, " "));
        utterance.lang = lang;
        try { utterance.voice = voice; } catch (e) { /* lang alone then picks it */ }
        if (player) { player.pause(); }
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(utterance);
      } else if (player && button.hasAttribute("data-audio")) {
        if (hasSpeech) { window.speechSynthesis.cancel(); }
        player.src = button.getAttribute("data-audio");
        var playing = player.play();
        if (playing && playing.catch) { playing.catch(function () { /* the device has no sound out */ }); }
      }
    });
  });

  // "Other, please specify": text typed in the box ticks "Other", as the server does too.
  document.querySelectorAll("input[data-other-for]").forEach(function (box) {
    box.addEventListener("input", function () {
      if (!box.value.trim() || !box.form) { return; }
      var tick = box.form.querySelector('input[name="' + box.getAttribute("data-other-for") +
                                        '"][value="' + box.getAttribute("data-other-code") + '"]');
      if (tick && !tick.checked) { tick.checked = true; }
    });
  });

  // The kiosk's set-up page tells the fieldworker which languages this device can read aloud.
  var voiceNote = document.getElementById("voice-check");
  if (voiceNote) {
    var checkVoices = function () {
      var voices = ("speechSynthesis" in window) ? window.speechSynthesis.getVoices() || [] : [];
      var has = function (code) {
        return voices.some(function (v) { return String(v.lang || "").toLowerCase().indexOf(code) === 0; });
      };
      var missing = [];
      if (!has("en")) { missing.push(voiceNote.getAttribute("data-en")); }
      if (!has("cy") && voiceNote.hasAttribute("data-cy")) { missing.push(voiceNote.getAttribute("data-cy")); }
      // A language with neither the device's voice nor the server's has no button at all.
      var server = (voiceNote.getAttribute("data-server") || "").split(",");
      var silent = missing.filter(function (name) { return server.indexOf(name) < 0; });
      voiceNote.textContent = (missing.length
        ? voiceNote.getAttribute("data-missing") + " " + missing.join(", ") + ". "
        : "") + (silent.length
        ? voiceNote.getAttribute("data-silent") + " " + silent.join(", ") + ": " + voiceNote.getAttribute("data-silent-end")
        : voiceNote.getAttribute("data-ok"));
      voiceNote.hidden = false;
    };
    checkVoices();
    if ("speechSynthesis" in window && window.speechSynthesis.addEventListener) {
      window.speechSynthesis.addEventListener("voiceschanged", checkVoices);
    }
  }

  // The finish page has nothing left to save: at the idle limit the kiosk just locks, and a
  // page with a Stop form (the links) presses Stop.
  var finish = document.querySelector("form[data-idle-leave]");
  if (finish) {
    var leaveAfter = parseInt(finish.getAttribute("data-idle-seconds"), 10) * 1000;
    var stopForm = document.querySelector("form.stop-form");
    var leaveTimer;
    var restart = function () {
      clearTimeout(leaveTimer);
      leaveTimer = setTimeout(function () {
        if (stopForm) { stopForm.submit(); return; }
        window.location.replace(finish.getAttribute("data-idle-leave"));
      }, leaveAfter);
    };
    ["click", "keydown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, restart, { passive: true });
    });
    restart();
  }

  // Idle timeout: a warning one minute before, then the page is saved and the kiosk locks (a
  // link lets go of the draft).
  if (form && form.hasAttribute("data-idle-seconds")) {
    var idle = parseInt(form.getAttribute("data-idle-seconds"), 10) * 1000;
    var dialog = document.getElementById("idle-warning");
    var warnTimer, lockTimer;
    var lockNow = function () {
      form.querySelector("input.js-action").value = "timeout";
      form.querySelectorAll("button[name=action]").forEach(function (b) { b.disabled = true; });
      form.submit();
    };
    var reset = function () {
      clearTimeout(warnTimer); clearTimeout(lockTimer);
      if (dialog && dialog.open) { dialog.close(); }
      warnTimer = setTimeout(function () { if (dialog && dialog.showModal) { dialog.showModal(); } }, Math.max(idle - 60000, 0));
      lockTimer = setTimeout(lockNow, idle);
    };
    ["click", "keydown", "input", "touchstart"].forEach(function (type) {
      document.addEventListener(type, reset, { passive: true });
    });
    var stillHere = document.getElementById("still-here");
    if (stillHere) { stillHere.addEventListener("click", reset); }
    reset();
  }

  // The kiosk's thank-you page goes back to the lock screen by itself, replacing itself in the
  // history so that Back cannot return to it (without JavaScript a <noscript> refresh does it).
  var back = document.querySelector("[data-return-url]");
  if (back) {
    var seconds = parseInt(back.getAttribute("data-return-seconds"), 10) || 10;
    setTimeout(function () { window.location.replace(back.getAttribute("data-return-url")); }, seconds * 1000);
  }

  // The submit button says one thing once; the server makes repeats harmless anyway.
  document.querySelectorAll("form.submit-form").forEach(function (f) {
    f.addEventListener("submit", function () {
      var button = f.querySelector("button.js-once");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
})();
