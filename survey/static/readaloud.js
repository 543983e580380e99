/* Read aloud: an optional button per question that reads it and its answers with the
   device's own speech synthesis. Only local voices are used, so no text leaves the
   device; without a voice for the page language the buttons stay hidden. */
(function () {
  var synth = window.speechSynthesis;
  if (!synth || !window.SpeechSynthesisUtterance) return;
  var lang = document.documentElement.lang.toLowerCase();
  function pickVoice() {
    return synth.getVoices().filter(function (v) {
      return v.localService && v.lang.toLowerCase().split(/[-_]/)[0] === lang;
    })[0];
  }
  function setup() {
    var voice = pickVoice();
    if (!voice) return;
    document.querySelectorAll("button.speak").forEach(function (button) {
      button.hidden = false;
      button.onclick = function () {
        synth.cancel();
        var box = document.getElementById(button.getAttribute("data-q"));
        box.querySelectorAll("legend, .legend, .help, .option span").forEach(function (el) {
          var text = el.textContent.trim();
          if (!text) return;
          var say = new SpeechSynthesisUtterance(text);
          say.voice = voice;
          say.lang = voice.lang;
          say.rate = 0.9;
          synth.speak(say);
        });
      };
    });
  }
  setup();
  if ("onvoiceschanged" in synth) synth.onvoiceschanged = setup;
})();
