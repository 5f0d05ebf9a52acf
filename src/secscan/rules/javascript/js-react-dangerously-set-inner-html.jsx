import React from "react";
import DOMPurify from "dompurify";

export function Comment({ comment }) {
  // ruleid: js-react-dangerously-set-inner-html
  return <div className="comment" dangerouslySetInnerHTML={{ __html: comment.body }} />;
}

export function Bio({ user }) {
  // ruleid: js-react-dangerously-set-inner-html
  return React.createElement("div", { className: "bio", dangerouslySetInnerHTML: { __html: user.bioHtml } });
}

export function Preview({ markdown }) {
  // ruleid: js-react-dangerously-set-inner-html
  return <section dangerouslySetInnerHTML={{ __html: "<h2>Preview</h2>" + markdown }}></section>;
}

export function SafeComment({ comment }) {
  // ok: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />;
}

export function StaticIcon() {
  // ok: js-react-dangerously-set-inner-html
  return <span dangerouslySetInnerHTML={{ __html: "&#9733;" }} />;
}

export function TextComment({ comment }) {
  // ok: js-react-dangerously-set-inner-html
  return <div className="comment">{comment.body}</div>;
}
