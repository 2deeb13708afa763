let audio: AudioContext | null = null;

/** A short beep and buzz when a code is accepted (issue #4), as the settings allow. */
export function acceptFeedback(options: { sound: boolean; vibrate: boolean }): void {
  if (options.vibrate && 'vibrate' in navigator) navigator.vibrate(60);
  if (!options.sound) return;
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 1760;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.08);
  } catch {
    // No audio output (or blocked before the first touch): the vibration and screen still tell.
  }
}

/** A low double tone for "not found" or a refused scan. */
export function refuseFeedback(options: { sound: boolean; vibrate: boolean }): void {
  if (options.vibrate && 'vibrate' in navigator) navigator.vibrate([80, 60, 80]);
  if (!options.sound) return;
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    osc.frequency.value = 330;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.2);
  } catch {
    // See acceptFeedback.
  }
}
