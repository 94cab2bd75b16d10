/**
 * sheetsync menu for the tracker spreadsheet: "Sync now" and "What's due".
 *
 * Both call `sheetsync serve` (POST /sync) and show its answer.  Set two Script
 * Properties (Project Settings > Script Properties):
 *   SHEETSYNC_URL    where serve answers over HTTPS, e.g. https://sheetsync.example.com
 *   SHEETSYNC_TOKEN  the serve token ($SHEETSYNC_SERVE_TOKEN or [serve] token)
 * Script Properties are readable by the script's editors only, not by people the
 * spreadsheet is shared with as commenters or readers.
 *
 * Scopes (appsscript.json): script.external_request to call serve,
 * spreadsheets.currentonly for the menu on this spreadsheet only, and
 * script.container.ui for the toast, alerts and sidebar.
 */

var TOP_ITEMS = 10; // "What's due" lists at most this many items (serve allows up to 50)

function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu('sheetsync')
    .addItem('Sync now', 'syncNow')
    .addItem("What's due", 'whatsDue')
    .addToUi();
}

/** Runs one sync and says what it found in a toast. */
function syncNow() {
  var answer = callSync_(0);
  if (!answer) {
    return;
  }
  var c = answer.counts;
  var text = c.due + ' due (' + c.overdue + ' overdue), ' + c.drafts_added +
      ' draft(s) added, ' + c.problems + ' row(s) with problems';
  SpreadsheetApp.getActiveSpreadsheet().toast(text, 'sheetsync: synced', 10);
}

/** Runs one sync and lists the most pressing due items in a sidebar. */
function whatsDue() {
  var answer = callSync_(TOP_ITEMS);
  if (!answer) {
    return;
  }
  var html = HtmlService.createHtmlOutput(dueHtml_(answer)).setTitle("sheetsync: what's due");
  SpreadsheetApp.getUi().showSidebar(html);
}

/** POST /sync; the parsed answer, or null after telling the user what went wrong. */
function callSync_(top) {
  var props = PropertiesService.getScriptProperties();
  var url = props.getProperty('SHEETSYNC_URL');
  var token = props.getProperty('SHEETSYNC_TOKEN');
  if (!url || !token) {
    SpreadsheetApp.getUi().alert('sheetsync is not set up',
        'Set SHEETSYNC_URL and SHEETSYNC_TOKEN in Extensions > Apps Script > ' +
        'Project Settings > Script Properties.', SpreadsheetApp.getUi().ButtonSet.OK);
    return null;
  }
  SpreadsheetApp.getActiveSpreadsheet().toast('Syncing...', 'sheetsync', 30);
  var response;
  try {
    response = UrlFetchApp.fetch(url.replace(/\/+$/, '') + '/sync', {
      method: 'post',
      contentType: 'application/json',
      payload: JSON.stringify({top: top}),
      headers: {Authorization: 'Bearer ' + token},
      muteHttpExceptions: true, // a refusal is shown, not thrown
      followRedirects: false    // never resend the token to another address
    });
  } catch (err) {
    fail_('cannot reach ' + url + ' (' + err.message + ')');
    return null;
  }
  var code = response.getResponseCode();
  var body = null;
  try {
    body = JSON.parse(response.getContentText());
  } catch (err) {
    body = null;
  }
  if (code === 200 && body && body.ok) {
    return body;
  }
  fail_(explain_(code, body));
  return null;
}

function explain_(code, body) {
  var said = body && body.error ? body.error : 'HTTP ' + code;
  var why = {
    401: 'the token in Script Properties does not match the server\'s',
    409: 'another sheetsync run is working on this sheet; try again in a minute',
    413: 'the request was too large',
    429: 'too many syncs in a minute; wait a little',
    502: 'the server could not read this sheet'
  }[code];
  return why ? why + ' (' + said + ')' : said;
}

function fail_(message) {
  SpreadsheetApp.getActiveSpreadsheet().toast(message, 'sheetsync: not synced', 15);
}

function dueHtml_(answer) {
  var c = answer.counts;
  var parts = ['<div style="font-family: sans-serif; font-size: 13px">',
    '<p>' + c.due + ' due (' + c.overdue + ' overdue), ' + c.problems +
        ' row(s) with problems.</p>'];
  if (!answer.due.length) {
    parts.push('<p>Nothing due today.</p>');
  }
  answer.due.forEach(function(item) {
    var when = item.overdue ? 'overdue since ' + item.due_on : 'due ' + item.due_on;
    parts.push('<p><b>' + escape_(item.company) + '</b> ' + escape_(item.role) + '<br>' +
        escape_(item.action.replace(/_/g, ' ')) + ', ' + escape_(when) +
        (item.to ? ' (to ' + escape_(item.to) + ')' : '') + '<br><small>' +
        escape_(item.why) + '</small></p>');
  });
  parts.push('</div>');
  return parts.join('');
}

/** Cell text goes into HTML: escape it. */
function escape_(text) {
  return String(text == null ? '' : text)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
