/**
 * The upload form a listing shows when uploads are on: a plain multipart form that posts to the listed
 * directory (it works without JavaScript), and a few lines of script so files dropped anywhere on the page
 * are posted the same way.
 */
export const UPLOAD_FORM_HTML = `<form id="upload" method="post" enctype="multipart/form-data">
<input type="file" name="file" multiple required>
<button type="submit">Upload</button>
<span class="hint">or drop files on the page</span>
</form>
<script>
const form = document.getElementById('upload');
addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dropping'); });
addEventListener('dragleave', () => document.body.classList.remove('dropping'));
addEventListener('drop', (e) => {
  e.preventDefault();
  form.elements.file.files = e.dataTransfer.files;
  form.submit();
});
</script>
`;

/** The form's style, added to the listing's. */
export const UPLOAD_FORM_STYLE = `
form#upload { margin: 1rem 0; padding: .75rem; border: 1px dashed var(--line); border-radius: .5rem; }
form#upload .hint { color: var(--muted); margin-left: .5rem; }
body.dropping form#upload { border-color: var(--link); }
`;
