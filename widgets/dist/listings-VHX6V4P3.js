(()=>{var Ot=Object.defineProperty;var Rt=(r,t,e)=>t in r?Ot(r,t,{enumerable:!0,configurable:!0,writable:!0,value:e}):r[t]=e;var K=(r,t,e)=>Rt(r,typeof t!="symbol"?t+"":t,e);var I=globalThis,z=I.ShadowRoot&&(I.ShadyCSS===void 0||I.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,G=Symbol(),at=new WeakMap,w=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==G)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(z&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=at.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&at.set(e,t))}return t}toString(){return this.cssText}},lt=r=>new w(typeof r=="string"?r:r+"",void 0,G),C=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((s,i,n)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[n+1],r[0]);return new w(e,r,G)},ht=(r,t)=>{if(z)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=I.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,r.appendChild(s)}},J=z?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return lt(e)})(r):r;var{is:Tt,defineProperty:Ht,getOwnPropertyDescriptor:Mt,getOwnPropertyNames:Lt,getOwnPropertySymbols:Dt,getPrototypeOf:It}=Object,_=globalThis,ct=_.trustedTypes,zt=ct?ct.emptyScript:"",jt=_.reactiveElementPolyfillSupport,P=(r,t)=>r,Z={toAttribute(r,t){switch(t){case Boolean:r=r?zt:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},pt=(r,t)=>!Tt(r,t),dt={attribute:!0,type:String,converter:Z,reflect:!1,useDefault:!1,hasChanged:pt};Symbol.metadata??(Symbol.metadata=Symbol("metadata")),_.litPropertyMetadata??(_.litPropertyMetadata=new WeakMap);var m=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??(this.l=[])).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=dt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&Ht(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:n}=Mt(this.prototype,t)??{get(){return this[e]},set(o){this[e]=o}};return{get:i,set(o){let c=i?.call(this);n?.call(this,o),this.requestUpdate(t,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??dt}static _$Ei(){if(this.hasOwnProperty(P("elementProperties")))return;let t=It(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(P("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(P("properties"))){let e=this.properties,s=[...Lt(e),...Dt(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(J(i))}else t!==void 0&&e.push(J(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??(this._$EO=new Set)).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ht(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??(this.renderRoot=this.createRenderRoot()),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:Z).toAttribute(e,s.type);this._$Em=t,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),o=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:Z;this._$Em=i;let c=o.fromAttribute(e,n.type);this[i]=c??this._$Ej?.get(i)??c,this._$Em=null}}requestUpdate(t,e,s,i=!1,n){if(t!==void 0){let o=this.constructor;if(i===!1&&(n=this[t]),s??(s=o.getPropertyOptions(t)),!((s.hasChanged??pt)(n,e)||s.useDefault&&s.reflect&&n===this._$Ej?.get(t)&&!this.hasAttribute(o._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:n},o){s&&!(this._$Ej??(this._$Ej=new Map)).has(t)&&(this._$Ej.set(t,o??e??this[t]),n!==!0||o!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??(this._$Eq=new Set)).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??(this.renderRoot=this.createRenderRoot()),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:o}=n,c=this[i];o!==!0||this._$AL.has(i)||c===void 0||this.C(i,void 0,n,c)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&(this._$Eq=this._$Eq.forEach(e=>this._$ET(e,this[e]))),this._$EM()}updated(t){}firstUpdated(t){}};m.elementStyles=[],m.shadowRootOptions={mode:"open"},m[P("elementProperties")]=new Map,m[P("finalized")]=new Map,jt?.({ReactiveElement:m}),(_.reactiveElementVersions??(_.reactiveElementVersions=[])).push("2.1.2");var U=globalThis,ut=r=>r,j=U.trustedTypes,ft=j?j.createPolicy("lit-html",{createHTML:r=>r}):void 0,yt="$lit$",g=`lit$${Math.random().toFixed(9).slice(2)}$`,At="?"+g,Bt=`<${At}>`,v=document,N=()=>v.createComment(""),O=r=>r===null||typeof r!="object"&&typeof r!="function",it=Array.isArray,Vt=r=>it(r)||typeof r?.[Symbol.iterator]=="function",Q=`[ 	
\f\r]`,k=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,mt=/-->/g,$t=/>/g,y=RegExp(`>|${Q}(?:([^\\s"'>=/]+)(${Q}*=${Q}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),_t=/'/g,gt=/"/g,vt=/^(?:script|style|textarea|title)$/i,rt=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),u=rt(1),se=rt(2),ie=rt(3),S=Symbol.for("lit-noChange"),h=Symbol.for("lit-nothing"),bt=new WeakMap,A=v.createTreeWalker(v,129);function St(r,t){if(!it(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return ft!==void 0?ft.createHTML(t):t}var qt=(r,t)=>{let e=r.length-1,s=[],i,n=t===2?"<svg>":t===3?"<math>":"",o=k;for(let c=0;c<e;c++){let a=r[c],d,p,l=-1,f=0;for(;f<a.length&&(o.lastIndex=f,p=o.exec(a),p!==null);)f=o.lastIndex,o===k?p[1]==="!--"?o=mt:p[1]!==void 0?o=$t:p[2]!==void 0?(vt.test(p[2])&&(i=RegExp("</"+p[2],"g")),o=y):p[3]!==void 0&&(o=y):o===y?p[0]===">"?(o=i??k,l=-1):p[1]===void 0?l=-2:(l=o.lastIndex-p[2].length,d=p[1],o=p[3]===void 0?y:p[3]==='"'?gt:_t):o===gt||o===_t?o=y:o===mt||o===$t?o=k:(o=y,i=void 0);let $=o===y&&r[c+1].startsWith("/>")?" ":"";n+=o===k?a+Bt:l>=0?(s.push(d),a.slice(0,l)+yt+a.slice(l)+g+$):a+g+(l===-2?c:$)}return[St(r,n+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},R=class r{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let n=0,o=0,c=t.length-1,a=this.parts,[d,p]=qt(t,e);if(this.el=r.createElement(d,s),A.currentNode=this.el.content,e===2||e===3){let l=this.el.content.firstChild;l.replaceWith(...l.childNodes)}for(;(i=A.nextNode())!==null&&a.length<c;){if(i.nodeType===1){if(i.hasAttributes())for(let l of i.getAttributeNames())if(l.endsWith(yt)){let f=p[o++],$=i.getAttribute(l).split(g),D=/([.?@])?(.*)/.exec(f);a.push({type:1,index:n,name:D[2],strings:$,ctor:D[1]==="."?Y:D[1]==="?"?tt:D[1]==="@"?et:x}),i.removeAttribute(l)}else l.startsWith(g)&&(a.push({type:6,index:n}),i.removeAttribute(l));if(vt.test(i.tagName)){let l=i.textContent.split(g),f=l.length-1;if(f>0){i.textContent=j?j.emptyScript:"";for(let $=0;$<f;$++)i.append(l[$],N()),A.nextNode(),a.push({type:2,index:++n});i.append(l[f],N())}}}else if(i.nodeType===8)if(i.data===At)a.push({type:2,index:n});else{let l=-1;for(;(l=i.data.indexOf(g,l+1))!==-1;)a.push({type:7,index:n}),l+=g.length-1}n++}}static createElement(t,e){let s=v.createElement("template");return s.innerHTML=t,s}};function E(r,t,e=r,s){if(t===S)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,n=O(t)?void 0:t._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(r),i._$AT(r,e,s)),s!==void 0?(e._$Co??(e._$Co=[]))[s]=i:e._$Cl=i),i!==void 0&&(t=E(r,i._$AS(r,t.values),i,s)),t}var X=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??v).importNode(e,!0);A.currentNode=i;let n=A.nextNode(),o=0,c=0,a=s[0];for(;a!==void 0;){if(o===a.index){let d;a.type===2?d=new T(n,n.nextSibling,this,t):a.type===1?d=new a.ctor(n,a.name,a.strings,this,t):a.type===6&&(d=new st(n,this,t)),this._$AV.push(d),a=s[++c]}o!==a?.index&&(n=A.nextNode(),o++)}return A.currentNode=v,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},T=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=h,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=E(this,t,e),O(t)?t===h||t==null||t===""?(this._$AH!==h&&this._$AR(),this._$AH=h):t!==this._$AH&&t!==S&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Vt(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==h&&O(this._$AH)?this._$AA.nextSibling.data=t:this.T(v.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=R.createElement(St(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let n=new X(i,this),o=n.u(this.options);n.p(e),this.T(o),this._$AH=n}}_$AC(t){let e=bt.get(t.strings);return e===void 0&&bt.set(t.strings,e=new R(t)),e}k(t){it(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let n of t)i===e.length?e.push(s=new r(this.O(N()),this.O(N()),this,this.options)):s=e[i],s._$AI(n),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=ut(t).nextSibling;ut(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},x=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,n){this.type=1,this._$AH=h,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=h}_$AI(t,e=this,s,i){let n=this.strings,o=!1;if(n===void 0)t=E(this,t,e,0),o=!O(t)||t!==this._$AH&&t!==S,o&&(this._$AH=t);else{let c=t,a,d;for(t=n[0],a=0;a<n.length-1;a++)d=E(this,c[s+a],e,a),d===S&&(d=this._$AH[a]),o||(o=!O(d)||d!==this._$AH[a]),d===h?t=h:t!==h&&(t+=(d??"")+n[a+1]),this._$AH[a]=d}o&&!i&&this.j(t)}j(t){t===h?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},Y=class extends x{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===h?void 0:t}},tt=class extends x{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==h)}},et=class extends x{constructor(t,e,s,i,n){super(t,e,s,i,n),this.type=5}_$AI(t,e=this){if((t=E(this,t,e,0)??h)===S)return;let s=this._$AH,i=t===h&&s!==h||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,n=t!==h&&(s===h||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},st=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){E(this,t)}};var Wt=U.litHtmlPolyfillSupport;Wt?.(R,T),(U.litHtmlVersions??(U.litHtmlVersions=[])).push("3.3.3");var Et=(r,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let n=e?.renderBefore??null;s._$litPart$=i=new T(t.insertBefore(N(),n),n,void 0,e??{})}return i._$AI(r),i};var H=globalThis,b=class extends m{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){var e;let t=super.createRenderRoot();return(e=this.renderOptions).renderBefore??(e.renderBefore=t.firstChild),t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Et(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return S}};b._$litElement$=!0,b.finalized=!0,H.litElementHydrateSupport?.({LitElement:b});var Ft=H.litElementPolyfillSupport;Ft?.({LitElement:b});(H.litElementVersions??(H.litElementVersions=[])).push("4.2.2");var nt=document.currentScript,Kt=(()=>{try{return nt&&nt.src?new URL(nt.src).origin:location.origin}catch{return location.origin}})(),wt=[["nb","Bokmål"],["nn","Nynorsk"],["en","English"]],M=new Map;async function Gt(r){let t=await fetch(r,{credentials:"omit",mode:"cors",cache:"no-cache",referrerPolicy:"strict-origin"}),e=null;try{e=await t.json()}catch{e=null}if(!t.ok){let s=new Error(e&&(e.detail||e.title)||"HTTP "+t.status);throw s.status=t.status,s}return e}function q(r,t,e,s){let i=r+"/widgets/v1/data/"+encodeURIComponent(t)+"/"+e+(s?"?lang="+encodeURIComponent(s):"");if(!M.has(i)){let n=Gt(i);n.catch(()=>M.delete(i)),M.set(i,n)}return M.get(i)}function Ct(r,t,e,s){let i=r+"/widgets/v1/data/"+encodeURIComponent(t)+"/"+e+(s?"?lang="+encodeURIComponent(s):"");return M.delete(i),q(r,t,e,s)}function Jt(r){let t=(r.getAttribute("lang")||"nb").toLowerCase();return wt.some(([e])=>e===t)?t:"nb"}function Zt(r){let t=/^#?([0-9a-f]{6})$/i.exec(r||"");if(!t)return"#fff";let e=parseInt(t[1],16),s=n=>(n/=255,n<=.03928?n/12.92:Math.pow((n+.055)/1.055,2.4)),i=.2126*s(e>>16&255)+.7152*s(e>>8&255)+.0722*s(e&255);return(i+.05)/.05>1.05/(i+.05)?"#000":"#fff"}function Pt(r,t){r.style.setProperty("--mf-primary",t.color_primary),r.style.setProperty("--mf-on-primary",Zt(t.color_primary)),r.style.setProperty("--mf-accent",t.color_accent)}var B={nb:["nb-NO","no"],nn:["nn-NO","nb-NO","no"],en:["en-GB"]},xt=new Map;function W(r,t,e=0){let s=r+"/"+e,i=xt.get(s);return i||(i=new Intl.NumberFormat(B[r]||B.nb,{maximumFractionDigits:e}),xt.set(s,i)),i.format(t)}function kt(r,t){return(t||"").replace(/\d+(?:[\u00a0\u202f ]\d{3})*/g,e=>W(r,Number(e.replace(/\D/g,""))))}function ot(r,t){let[e,s]=(t||"").split("-").map(Number);if(!e||!s)return t||"";try{return new Intl.DateTimeFormat(B[r]||B.nb,{month:"short",year:"numeric"}).format(new Date(Date.UTC(e,s-1,15)))}catch{return t}}function Ut(r,t){let[e,s]=(t||"").split("/");return e===s?ot(r,e):ot(r,e)+"–"+ot(r,s)}var Nt=C`
  :host {
    all: initial;
    display: block;
    font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
    font-size: 16px;
    line-height: 1.45;
    color: #1b1b1b;
    background: #fff;
    border: 1px solid #c8ccd0;
    border-radius: 6px;
    overflow: hidden;
    --mf-primary: #1f5f3f;
    --mf-on-primary: #fff;
    --mf-accent: #b7791f;
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.6rem;
    padding: 0.5rem 0.75rem;
    background: var(--mf-primary);
    color: var(--mf-on-primary);
  }
  header img {
    width: 32px;
    height: 32px;
    object-fit: contain;
    background: #fff;
    border-radius: 4px;
  }
  h2 {
    font-size: 1.05rem;
    margin: 0;
    flex: 1;
  }
  select,
  button {
    font: inherit;
    font-size: 0.95rem;
    padding: 0.3rem 0.4rem;
    border: 1px solid #6b7075;
    border-radius: 4px;
    background: #fff;
    color: #1b1b1b;
  }
  header select {
    border-color: var(--mf-on-primary);
  }
  a {
    color: #0b4f8a;
  }
  a:focus-visible,
  select:focus-visible,
  button:focus-visible,
  summary:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid #f2b705;
    outline-offset: 2px;
  }
  .vh {
    position: absolute !important;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .muted {
    color: #50565c;
  }
  .msg {
    padding: 0.75rem;
  }
  footer {
    padding: 0.4rem 0.75rem;
    font-size: 0.85rem;
    border-top: 1px solid #e1e4e6;
    display: flex;
    justify-content: space-between;
    gap: 0.5rem;
    flex-wrap: wrap;
  }
  .kind {
    display: inline-block;
    font-size: 0.78rem;
    padding: 0 0.35rem;
    border-radius: 3px;
    color: #fff;
    font-weight: 600;
  }
  .kind.surplus {
    background: #a63c0b;
  }
  .kind.need {
    background: #1864ab;
  }
  .kind.capacity {
    background: #2b6b34;
  }
  .kind.facility {
    background: #495057;
  }
`;var V=class extends b{get _base(){return(this.base||Kt).replace(/\/$/,"")}connectedCallback(){super.connectedCallback(),this.lang=Jt(this),this._timer=setInterval(()=>this._reload(!0),6e4)}disconnectedCallback(){super.disconnectedCallback(),clearInterval(this._timer)}_kindName(t){return(this._cfg.kinds.find(e=>e.code===t)||{name:t}).name}_fracName(t){return(this._cfg.fractions.find(e=>e.code===t)||{name:t}).name}_state(t){if(this._err){let e=this._err.status===403||!this._cfg?this._err.message:this._cfg.labels.error;return u`<div class="msg" role="alert">${e}</div>`}return t?null:u`<div class="msg" role="status" aria-live="polite">…</div>`}_header(t){let e=this._cfg,s=e.labels;return u`<header>
      ${e.logo_url?u`<img src=${e.logo_url} alt="" />`:h}
      <h2 id="h">${e.name}: ${t}</h2>
      <label class="vh" for="lang">${s.language}</label>
      <select id="lang" @change=${i=>this.lang=i.target.value}>
        ${wt.map(([i,n])=>u`<option value=${i} lang=${i} ?selected=${i===this.lang}>${n}</option>`)}
      </select>
    </header>`}_footer(){let t=this._cfg;return u`<footer><a href=${t.marketplace_url} target="_top">${t.labels.open_marketplace}</a><span class="muted">Masseflyt</span></footer>`}};var F=25,L=class extends V{constructor(){super(),this.kind="",this.fraction="",this._shown=F}willUpdate(t){(t.has("tenant")||t.has("lang"))&&this._reload(!1)}async _reload(t){if(!this.tenant)return;let e=t?Ct:q;try{let[s,i]=await Promise.all([q(this._base,this.tenant,"config",this.lang),e(this._base,this.tenant,"listings")]);this._cfg=s,this._data=i,this._err=null,Pt(this,s)}catch(s){this._err=s}}_items(){return(this._data&&this._data.listings||[]).filter(e=>(!this.kind||e.kind===this.kind)&&(!this.fraction||(e.fractions||[]).includes(this.fraction)))}render(){let t=this._state(this._cfg&&this._data);if(t)return t;let e=this._cfg,s=e.labels,i=this._items();return u`<section aria-labelledby="h">
      ${this._header(s.listings)}
      <form @submit=${n=>n.preventDefault()} aria-label=${s.filters}>
        <label>${s.kind}
          <select @change=${n=>{this.kind=n.target.value,this._shown=F}}>
            <option value="">${s.all}</option>
            ${e.kinds.filter(n=>n.code!=="facility").map(n=>u`<option value=${n.code} ?selected=${n.code===this.kind}>${n.name}</option>`)}
          </select>
        </label>
        <label>${s.fraction}
          <select @change=${n=>{this.fraction=n.target.value,this._shown=F}}>
            <option value="">${s.all}</option>
            ${e.fractions.map(n=>u`<option value=${n.code} ?selected=${n.code===this.fraction}>${n.name}</option>`)}
          </select>
        </label>
      </form>
      <p class="count" role="status" aria-live="polite">${W(this.lang,i.length)} ${i.length===1?s.listing_one:s.listing_many}</p>
      <ul>
        ${i.slice(0,this._shown).map(n=>u`<li>
            <span class="kind ${n.kind}">${this._kindName(n.kind)}</span>
            <a href=${new URL(n.url,this._base+"/").href} target="_top">${n.title}</a>
            <span class="meta">${(n.fractions||[]).map(o=>this._fracName(o)).join(", ")} · ${kt(this.lang,n.quantity_band)} · ${Ut(this.lang,n.period)}</span>
            <span class="meta muted">${n.organization_name}</span>
          </li>`)}
      </ul>
      ${i.length>this._shown?u`<button class="more" @click=${()=>this._shown+=F}>${s.show_more} (${W(this.lang,i.length-this._shown)})</button>`:h}
      ${this._footer()}
    </section>`}};K(L,"properties",{tenant:{type:String},kind:{type:String},fraction:{type:String},base:{type:String},lang:{type:String,reflect:!0},_cfg:{state:!0},_data:{state:!0},_err:{state:!0},_shown:{state:!0}}),K(L,"styles",[Nt,C`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        padding: 0.6rem 0.75rem 0;
      }
      label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
        font-weight: 600;
        gap: 0.15rem;
      }
      .count {
        margin: 0.5rem 0.75rem 0.25rem;
        font-size: 0.9rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0 0.75rem;
        max-height: var(--mf-list-height, 420px);
        overflow: auto;
      }
      li {
        padding: 0.5rem 0;
        border-bottom: 1px solid #e1e4e6;
      }
      li a {
        font-weight: 600;
      }
      .meta {
        display: block;
        font-size: 0.88rem;
      }
      .more {
        margin: 0.5rem 0.75rem;
      }
    `]);customElements.get("masseflyt-listings")||customElements.define("masseflyt-listings",L);})();
