import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import { Marked, type Tokens } from 'marked';

// GitHub-flavoured Markdown → HTML → DOMPurify. Nothing user-written reaches the DOM
// as HTML any other way. Code is highlighted by highlight.js (which escapes its input);
// ```mermaid blocks become placeholders that drawMermaid() turns into SVG on demand.

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

/**
 * A URL the browser would fetch from another origin. The page's Content-Security-Policy
 * (`img-src 'self' data:`) refuses those anyway; the renderer does not even ask, and shows a link.
 */
function isRemote(url: string): boolean {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol !== 'data:' && parsed.origin !== window.location.origin;
  } catch {
    return false;
  }
}

/** Candidates of a srcset ("a.png 1x, b.png 2x"): is any of them remote? */
function remoteSrcset(srcset: string): boolean {
  return srcset.split(',').some((candidate) => {
    const url = candidate.trim().split(/\s+/)[0];
    return url ? isRemote(url) : false;
  });
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const language = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      if (language === 'mermaid') return `<pre class="mermaid-source">${escapeHtml(text)}</pre>`;
      const known = language && hljs.getLanguage(language) ? language : '';
      const html = known ? hljs.highlight(text, { language: known }).value : escapeHtml(text);
      return `<pre class="code"><code class="hljs${known ? ` language-${known}` : ''}">${html}</code></pre>`;
    },
    // ![alt](https://elsewhere/...) becomes a link to the image, never a request to its server.
    image({ href, text }: Tokens.Image): string | false {
      if (!isRemote(href)) return false;
      const label = text.trim() || href;
      return `<a class="remote-image" href="${escapeHtml(href)}" title="Remote image, not loaded: ${escapeHtml(href)}">${escapeHtml(label)}</a>`;
    },
  },
});

let hooked = false;
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.getAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
    if (node.tagName === 'INPUT') node.setAttribute('disabled', '');
    // Raw HTML (<img src>, <video poster>, <picture><source srcset>) fetches nothing remote either:
    // the attribute goes, the alt text stays, the address is in the tooltip.
    for (const name of ['src', 'poster']) {
      const url = node.getAttribute(name);
      if (url && isRemote(url)) {
        node.removeAttribute(name);
        node.setAttribute('title', `Remote image, not loaded: ${url}`);
      }
    }
    const srcset = node.getAttribute('srcset');
    if (srcset && remoteSrcset(srcset)) node.removeAttribute('srcset');
  });
}

/** Sanitised HTML of a Markdown body. */
export function renderMarkdown(source: string): string {
  hookLinks();
  const raw = marked.parse(source, { async: false }) as string;
  return DOMPurify.sanitize(raw, {
    USE_PROFILES: { html: true },
    ADD_ATTR: ['target'],
    FORBID_TAGS: ['style', 'form', 'button', 'textarea', 'select'],
    // An item styles nothing: the page allows inline styles only for Mermaid (app/viewer-headers.ts).
    FORBID_ATTR: ['style'],
  });
}

let mermaidLoad: Promise<typeof import('mermaid')['default']> | undefined;
let diagramSeq = 0;

function loadMermaid(dark: boolean) {
  mermaidLoad ??= import('mermaid').then(({ default: mermaid }) => {
    // SVG text labels (not HTML in foreignObject), so the diagram survives DOMPurify's SVG profile intact.
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: dark ? 'dark' : 'default',
      htmlLabels: false,
      flowchart: { htmlLabels: false },
      fontFamily: 'ui-sans-serif, system-ui, sans-serif',
    });
    return mermaid;
  });
  return mermaidLoad;
}

/** Replaces the mermaid placeholders under `root` with rendered SVG (loads mermaid only if there are any). */
export async function drawMermaid(root: HTMLElement, dark: boolean): Promise<void> {
  const blocks = [...root.querySelectorAll<HTMLElement>('pre.mermaid-source')];
  if (blocks.length === 0) return;
  const mermaid = await loadMermaid(dark);
  for (const block of blocks) {
    if (!block.isConnected) continue;
    const figure = document.createElement('figure');
    figure.className = 'mermaid';
    try {
      const { svg } = await mermaid.render(`mermaid-${++diagramSeq}`, block.textContent ?? '');
      // Mermaid sanitises labels itself at securityLevel "strict"; DOMPurify checks the SVG again.
      figure.innerHTML = DOMPurify.sanitize(svg, {
        USE_PROFILES: { svg: true, svgFilters: true },
        ADD_TAGS: ['style'],
      });
    } catch (error) {
      figure.className = 'mermaid mermaid-error';
      figure.textContent = `Diagram error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (block.isConnected) block.replaceWith(figure);
  }
}
