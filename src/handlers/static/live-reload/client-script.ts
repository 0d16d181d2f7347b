/** What a page served with live reload runs: the path it listens on and the script injected into it. */

/** The reserved path of the event stream; with live reload on, the file server answers it before any file. */
export const LIVE_EVENTS_PATH = '/__basehttp/live';

/**
 * The injected script. An EventSource needs no library in the page and reconnects by itself: `reload`
 * navigates, `css` swaps every stylesheet link for itself with a cache-busting query (the page keeps its
 * state), and a stream that comes back after it was lost (the server restarted) reloads, since files may
 * have changed meanwhile. Plain ES5-safe text, no `%` (it also goes into error pages' format string).
 */
export const LIVE_SCRIPT =
  '<script>(function(){' +
  `var s=new EventSource(${JSON.stringify(LIVE_EVENTS_PATH)}),lost=false;` +
  "s.addEventListener('reload',function(){location.reload()});" +
  "s.addEventListener('css',function(){" +
  "document.querySelectorAll('link[rel~=stylesheet]').forEach(function(l){" +
  "var u=new URL(l.href);u.searchParams.set('__live',Date.now());l.href=u.href})});" +
  's.onerror=function(){lost=true};' +
  's.onopen=function(){if(lost)location.reload()}' +
  '})()</script>';
