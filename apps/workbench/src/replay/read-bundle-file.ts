/** A chosen `.tar.gz` as the base64 `POST /governance/replays` takes. */
export function readBundleFile(file: Blob): Promise<string> {
  // A data URL is base64 already; FileReader reads a file in every browser without copying it
  // through a string of bytes.
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the bundle file cannot be read'));
    reader.readAsDataURL(file);
  });
}
