// /volunteer/checkin: check in or out at a post by scanning its QR code. The live camera
// needs a secure origin (HTTPS); a photo of the code works everywhere (the phone's own
// camera app through the file picker), and the code can be typed as a last resort.
// Decoding is jsQR's, in the browser: the picture never leaves the phone.
import { useEffect, useRef, useState } from 'preact/hooks';
import jsQR from 'jsqr';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.jsx';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Message, useAction } from './common.jsx';

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

export function CheckinPage() {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const [camera, setCamera] = useState(false);
  const [notFound, setNotFound] = useState(false);
  const videoRef = useRef(null);
  const canvasRef = useRef(null);
  const action = useAction();
  const canUseCamera = typeof window !== 'undefined' && window.isSecureContext && navigator.mediaDevices?.getUserMedia;

  function send(text) {
    setNotFound(false);
    setCamera(false);
    return action.run(() => api.post('/checkin', { code: text }));
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

  // The photo is read in memory (createImageBitmap, else a data: URL): the page's
  // Content-Security-Policy allows no blob: images.
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

  const answer = action.message;
  return (
    <main class="page page-narrow" data-testid="checkin-page">
      <h1>{t('vol.checkin.title')}</h1>
      <p class="lead">{t('vol.checkin.intro')}</p>
      <Message text={answer} testId="checkin-message" />
      <ErrorMessage error={action.error} testId="checkin-error" />
      {notFound ? <p class="message message-error" data-testid="checkin-no-code">{t('vol.checkin.no_code')}</p> : null}
      {canUseCamera ? (
        camera ? (
          <>
            <video ref={videoRef} class="vol-video" playsInline muted />
            <p><button class="button button-block" onClick={() => setCamera(false)}>{t('vol.checkin.stop')}</button></p>
          </>
        ) : <p><button class="button button-primary button-block button-big" onClick={() => setCamera(true)} data-testid="checkin-camera">{t('vol.checkin.camera')}</button></p>
      ) : null}
      <label class="field">
        <span class="field-label">{t('vol.checkin.photo')}</span>
        <input type="file" accept="image/*" capture="environment" onChange={photo} data-testid="checkin-photo" />
      </label>
      <canvas ref={canvasRef} hidden />
      <form class="form" onSubmit={(e) => { e.preventDefault(); if (code.trim()) send(code.trim()); }}>
        <label class="field">
          <span class="field-label">{t('vol.checkin.type')}</span>
          <input value={code} onInput={(e) => setCode(e.currentTarget.value)} autoComplete="off" data-testid="checkin-code" />
        </label>
        <button class="button button-block" type="submit" disabled={action.busy}>{t('vol.checkin.send')}</button>
      </form>
      <p><Link href="/volunteer">{t('vol.back_home')}</Link></p>
    </main>
  );
}
