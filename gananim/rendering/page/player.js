// gananim's player: a recorded run's animation, scrubbed frame by frame, with its curves.
// Everything it needs is in this file and the page's JSON; it fetches nothing.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gananim-data").textContent);
  var video = document.getElementById("gananim-video");
  var slider = document.getElementById("gananim-slider");
  var readout = document.getElementById("gananim-readout");
  var playButton = document.getElementById("gananim-play");
  var canvas = document.getElementById("gananim-canvas");
  var hover = document.getElementById("gananim-hover");
  var frames = data.frames;            // the step each frame shows, in order
  var fps = data.fps;
  var current = 0;                     // the frame shown
  var wanted = null;                   // a frame asked for before the video could seek

  // -- curves: every recorded step's scalars (a stride of them for long runs) --------------
  function decode(text) {
    var bytes = atob(text), buffer = new ArrayBuffer(bytes.length), view = new Uint8Array(buffer);
    for (var i = 0; i < bytes.length; i++) view[i] = bytes.charCodeAt(i);
    return new Float32Array(buffer);
  }
  var series = data.series.map(function (s) { return {name: s.name, label: s.label, color: s.color, values: decode(s.values)}; });
  var count = series.length ? series[0].values.length : 0;
  function stepAt(i) { return data.curve_first + i * data.curve_stride; }
  var lastStep = Math.max(frames[frames.length - 1], count ? stepAt(count - 1) : 0, 1);

  function range(values) {
    var low = Infinity, high = -Infinity;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (isFinite(v)) { if (v < low) low = v; if (v > high) high = v; }
    }
    if (!isFinite(low)) { low = 0; high = 1; }
    if (high === low) { high = low + 1; }
    return [low, high];
  }
  series.forEach(function (s) { s.range = range(s.values); });

  var legend = document.getElementById("gananim-legend");
  series.forEach(function (s) {
    var item = document.createElement("span");
    item.style.setProperty("--swatch", s.color);
    item.textContent = s.label;          // text, never markup
    legend.appendChild(item);
  });

  // Two lanes sharing the timeline: the losses (and scores) above, D's outputs below; each
  // curve drawn raw and faint, with its moving average on top, as the frames draw them.
  function smoothed(values) {
    var window = Math.max(1, Math.round(values.length / 100)), out = new Float32Array(values.length);
    var sum = 0, n = 0;
    for (var i = 0; i < values.length; i++) {
      if (isFinite(values[i])) { sum += values[i]; n++; }
      var j = i - window;
      if (j >= 0 && isFinite(values[j])) { sum -= values[j]; n--; }
      out[i] = n ? sum / n : NaN;
    }
    return out;
  }
  var lanes = [series.filter(function (s) { return s.name !== "d_real" && s.name !== "d_fake"; }),
               series.filter(function (s) { return s.name === "d_real" || s.name === "d_fake"; })]
    .filter(function (lane) { return lane.length; });
  lanes.forEach(function (lane) {
    var low = Infinity, high = -Infinity;
    lane.forEach(function (s) { s.smooth = smoothed(s.values); low = Math.min(low, s.range[0]); high = Math.max(high, s.range[1]); });
    lane.range = [low, high];
  });

  function draw() {
    var ratio = window.devicePixelRatio || 1, width = canvas.clientWidth, height = canvas.clientHeight;
    if (!width || !height) return;
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    var g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    var pad = 6, laneHeight = height / Math.max(1, lanes.length);
    function x(step) { return pad + (width - 2 * pad) * step / lastStep; }
    data.marks.forEach(function (m) {    // phase labels and captions along the timeline
      g.fillStyle = m.color; g.globalAlpha = 0.12;
      g.fillRect(x(m.start), 0, Math.max(2, x(m.stop) - x(m.start)), height);
      g.globalAlpha = 1;
    });
    g.font = "11px system-ui, sans-serif"; g.fillStyle = "#666";
    lanes.forEach(function (lane, k) {
      var top = k * laneHeight + pad, bottom = (k + 1) * laneHeight - pad, low = lane.range[0], high = lane.range[1];
      function y(v) { return bottom - (bottom - top) * (v - low) / (high - low); }
      g.fillText(formatted(high), pad + 2, top + 10);
      g.fillText(formatted(low), pad + 2, bottom - 2);
      lane.forEach(function (s) {
        [[s.values, 0.25, 1], [s.smooth, 1, 1.6]].forEach(function (style) {
          var values = style[0], started = false;
          g.strokeStyle = s.color; g.globalAlpha = style[1]; g.lineWidth = style[2]; g.beginPath();
          for (var i = 0; i < count; i++) {
            var v = values[i];
            if (!isFinite(v)) { started = false; continue; }
            if (started) g.lineTo(x(stepAt(i)), y(v)); else g.moveTo(x(stepAt(i)), y(v));
            started = true;
          }
          g.stroke();
        });
      });
      g.globalAlpha = 1;
    });
    g.strokeStyle = "#1b1b1b"; g.lineWidth = 1;
    g.beginPath(); g.moveTo(x(frames[current]) + 0.5, 0); g.lineTo(x(frames[current]) + 0.5, height); g.stroke();
  }

  function nearestIndex(step) {       // the recorded curve point nearest a step
    return Math.max(0, Math.min(count - 1, Math.round((step - data.curve_first) / data.curve_stride)));
  }
  function nearestFrame(step) {
    var best = 0;
    for (var i = 1; i < frames.length; i++) if (Math.abs(frames[i] - step) < Math.abs(frames[best] - step)) best = i;
    return best;
  }
  function stepOfPointer(event) {
    var box = canvas.getBoundingClientRect(), pad = 6;
    return Math.round(Math.max(0, Math.min(1, (event.clientX - box.left - pad) / (box.width - 2 * pad))) * lastStep);
  }
  function formatted(v) { return isFinite(v) ? Number(v.toPrecision(5)).toString() : String(v); }

  canvas.addEventListener("mousemove", function (event) {
    if (!count) return;
    var i = nearestIndex(stepOfPointer(event)), lines = ["step " + stepAt(i)];
    series.forEach(function (s) { lines.push(s.label + "  " + formatted(s.values[i])); });
    data.marks.forEach(function (m) { if (m.start <= stepAt(i) && stepAt(i) <= m.stop) lines.push(m.text); });
    hover.textContent = lines.join("\n");
    hover.style.display = "block";
    var box = canvas.getBoundingClientRect(), left = event.clientX - box.left + 12;
    hover.style.left = Math.min(left, box.width - hover.offsetWidth - 4) + "px";
    hover.dataset.step = String(stepAt(i));
  });
  canvas.addEventListener("mouseleave", function () { hover.style.display = "none"; });
  canvas.addEventListener("click", function (event) { seek(stepOfPointer(event)); });

  // -- the animation ------------------------------------------------------------------------
  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    slider.value = String(current);
    readout.textContent = "step " + frames[current].toLocaleString("en") + " / " + lastStep.toLocaleString("en");
    draw();
  }
  function showFrame(index) {          // the middle of a frame's display time: never its neighbour's
    show(index);
    if (video.readyState >= 1) video.currentTime = (current + 0.5) / fps; else wanted = current;
  }
  function remember() {
    try { history.replaceState(null, "", "#step=" + frames[current]); } catch (e) { /* e.g. a sandboxed frame */ }
  }
  function seek(step) { pause(); showFrame(nearestFrame(Number(step))); remember(); }
  function play() {
    if (current >= frames.length - 1 && !video.loop) showFrame(0);
    var started = video.play();
    if (started && started.catch) started.catch(function () {});
  }
  function pause() {                  // settles on the frame playback reached, at once
    if (video.paused) return;
    video.pause();
    settle();
  }
  function settle() {
    show(Math.min(frames.length - 1, Math.floor(video.currentTime * fps)));
    remember();
  }

  video.addEventListener("loadedmetadata", function () {
    if (wanted !== null) { video.currentTime = (wanted + 0.5) / fps; wanted = null; }
  });
  video.addEventListener("play", function () { playButton.textContent = "❚❚ pause"; playButton.setAttribute("aria-label", "pause"); follow(); });
  video.addEventListener("pause", function () {
    playButton.textContent = "▶ play"; playButton.setAttribute("aria-label", "play");
    if (!video.seeking) settle();      // paused by the browser or the end of the video
  });
  video.addEventListener("ended", function () { show(frames.length - 1); });
  function follow() {                  // playback moves the slider, the read-out and the cursor
    if (video.paused) return;
    var index = Math.min(frames.length - 1, Math.floor(video.currentTime * fps));
    if (index !== current) show(index);
    requestAnimationFrame(follow);
  }

  playButton.addEventListener("click", function () { if (video.paused) play(); else pause(); });
  slider.max = String(frames.length - 1);
  slider.addEventListener("input", function () { pause(); showFrame(Number(slider.value)); });
  slider.addEventListener("change", remember);
  document.getElementById("gananim-speed").addEventListener("change", function (event) {
    video.playbackRate = Number(event.target.value);
  });
  document.getElementById("gananim-loop").addEventListener("change", function (event) { video.loop = event.target.checked; });
  document.addEventListener("keydown", function (event) {
    if (event.target && (event.target.tagName === "SELECT" || event.target.tagName === "INPUT" && event.target.type !== "range")) return;
    var keys = {" ": function () { if (video.paused) play(); else pause(); },
                "ArrowLeft": function () { pause(); showFrame(current - 1); remember(); },
                "ArrowRight": function () { pause(); showFrame(current + 1); remember(); },
                "Home": function () { pause(); showFrame(0); remember(); },
                "End": function () { pause(); showFrame(frames.length - 1); remember(); }};
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });
  window.addEventListener("resize", draw);

  var link = /[#&]step=(\d+)/.exec(location.hash);
  showFrame(link ? nearestFrame(Number(link[1])) : 0);

  window.gananim = {             // for authors who embed the page
    frames: frames.slice(),
    get step() { return frames[current]; },
    seek: seek, play: play, pause: pause
  };
})();
