// Reading a QR code on a phone: the camera where the page may use it (a secure
// origin), a photo otherwise (read in memory: the Content-Security-Policy allows no
// blob: images), or the code's text typed. Calls onCode(text) with what it read; the
// caller's labels keep the words of its own page. Decoding is jsQR's.
import { useEffect, useRef, useState } from 'preact/hooks';
import jsQR from 'jsqr';

// The QR text in an image (ImageData-like source drawn on a canvas), or null.
function decode(canvas, source, width, height) {
  const scale = Math.min(1, 1024 / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
  return found ? found.data : null;
}

export function QrReader({ onCode, busy, testId, labels }) {
  const [code, setCode] = useState('');
  const [camera, setCamera] = useState(false);
  const [notFound, setNotFound] = useState(false);
  const videoRef = useRef(null);
  const canvasRef = useRef(null);
  const canUseCamera = typeof window !== 'undefined' && window.isSecureContext && navigator.mediaDevices?.getUserMedia;

  function send(text) {
    setNotFound(false);
    setCamera(false);
    onCode(text);
  }

  useEffect(() => {
    if (!camera) return undefined;
    let stream = null;
    let frame = 0;
    let stopped = false;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then((s) => {
      stream = s;
      const video = videoRef.current;
      if (!video || stopped) return;
      video.srcObject = s;
      video.play();
      const tick = () => {
        if (stopped) return;
        if (video.readyState >= 2) {
          const text = decode(canvasRef.current, video, video.videoWidth, video.videoHeight);
          if (text) { send(text); return; }
        }
        frame = requestAnimationFrame(tick);
      };
      frame = requestAnimationFrame(tick);
    }, () => setCamera(false));
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      if (stream) stream.getTracks().forEach((track) => track.stop());
    };
  }, [camera]);

  async function photo(event) {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    let text = null;
    try {
      if (typeof createImageBitmap === 'function') {
        const bitmap = await createImageBitmap(file);
        text = decode(canvasRef.current, bitmap, bitmap.width, bitmap.height);
        bitmap.close?.();
      } else {
        const url = await new Promise((ok, fail) => {
          const reader = new FileReader();
          reader.onload = () => ok(reader.result);
          reader.onerror = fail;
          reader.readAsDataURL(file);
        });
        const img = new Image();
        await new Promise((ok, fail) => { img.onload = ok; img.onerror = fail; img.src = url; });
        text = decode(canvasRef.current, img, img.naturalWidth, img.naturalHeight);
      }
    } catch {
      text = null;
    }
    if (text) send(text); else setNotFound(true);
  }

  return (
    <div class="qr-reader">
      {notFound ? <p class="message message-error" data-testid={`${testId}-no-code`}>{labels.noCode}</p> : null}
      {canUseCamera ? (
        camera ? (
          <>
            <video ref={videoRef} class="qr-video" playsInline muted />
            <p><button class="button button-block" onClick={() => setCamera(false)}>{labels.stop}</button></p>
          </>
        ) : <p><button class="button button-primary button-block button-big" onClick={() => setCamera(true)} data-testid={`${testId}-camera`}>{labels.camera}</button></p>
      ) : null}
      <label class="field">
        <span class="field-label">{labels.photo}</span>
        <input type="file" accept="image/*" capture="environment" onChange={photo} data-testid={`${testId}-photo`} />
      </label>
      <canvas ref={canvasRef} hidden />
      <form class="form" onSubmit={(e) => { e.preventDefault(); if (code.trim()) send(code.trim()); }}>
        <label class="field">
          <span class="field-label">{labels.type}</span>
          <input value={code} onInput={(e) => setCode(e.currentTarget.value)} autoComplete="off" data-testid={`${testId}-code`} />
        </label>
        <button class="button button-block" type="submit" disabled={busy}>{labels.send}</button>
      </form>
    </div>
  );
}
