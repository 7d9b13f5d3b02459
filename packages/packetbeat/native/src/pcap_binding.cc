// Packetbeat's live capture binding: libpcap read on the Node.js event loop.
//
// One Capture opens one device. Reading is driven by a uv_poll on pcap's
// selectable descriptor, so it needs no thread. When the descriptor turns
// readable, pcap_dispatch() copies as many packets as fit into a Buffer the
// JavaScript side owns, each as a record
//
//   [u32 tsSec][u32 tsNsec][u32 capLen][u32 origLen][capLen bytes, padded to 4]
//
// (host byte order), and JavaScript is called once for the whole block with
// (count, bytesUsed). No per-packet JavaScript call, no per-packet object.

#include <napi.h>
#include <pcap/pcap.h>
#include <uv.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace {

constexpr size_t kRecordHeader = 16;

inline size_t Padded(uint32_t n) {
  return (static_cast<size_t>(n) + 3) & ~static_cast<size_t>(3);
}

// pcap_datalink() reports DLT_* values; a few differ from the LINKTYPE_*
// numbers written in capture files (https://www.tcpdump.org/linktypes.html).
int LinkTypeOf(int dlt) {
  switch (dlt) {
#ifdef DLT_RAW
    case DLT_RAW:
      return 101;
#endif
#ifdef DLT_LOOP
    case DLT_LOOP:
      return 108;
#endif
#ifdef DLT_ATM_RFC1483
    case DLT_ATM_RFC1483:
      return 100;
#endif
    default:
      return dlt;
  }
}

// The text for a pcap_activate() status: pcap's own message where it left
// one (it names the cause, e.g. "socket: Operation not permitted"), else the
// status's generic text.
std::string ActivateMessage(pcap_t* p, int status) {
  const char* detail = pcap_geterr(p);
  if (detail == nullptr || detail[0] == '\0') return pcap_statustostr(status);
  if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED || status > 0) {
    return std::string(pcap_statustostr(status)) + " (" + detail + ")";
  }
  return detail;
}

// Option readers: undefined keeps the default; a wrong type throws a TypeError
// (and returns false, leaving a pending exception).
bool ReadUint(Napi::Object options, const char* key, uint32_t* out) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsNumber()) {
    Napi::TypeError::New(options.Env(), std::string("option ") + key + " must be a number")
        .ThrowAsJavaScriptException();
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= static_cast<double>(INT_MAX))) {
    Napi::RangeError::New(options.Env(), std::string("option ") + key + " is out of range")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

bool ReadBool(Napi::Object options, const char* key, bool* out) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsBoolean()) {
    Napi::TypeError::New(options.Env(), std::string("option ") + key + " must be a boolean")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool ReadString(Napi::Object options, const char* key, std::string* out) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsString()) {
    Napi::TypeError::New(options.Env(), std::string("option ") + key + " must be a string")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

class Capture : public Napi::ObjectWrap<Capture> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Capture",
                       {
                           InstanceMethod<&Capture::Open>("open"),
                           InstanceMethod<&Capture::ReadNow>("readNow"),
                           InstanceMethod<&Capture::Stats>("stats"),
                           InstanceMethod<&Capture::LinkType>("linkType"),
                           InstanceMethod<&Capture::Close>("close"),
                       });
  }

  explicit Capture(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Capture>(info) {}

  ~Capture() override { StopCapture(); }

 private:
  // open(device, options, buffer, onBatch(count, bytesUsed), onError(error))
  //   -> { linkType, dlt, snaplen, precision: 'nano' | 'micro', warning? }
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (pcap_ != nullptr || closed_) {
      Napi::Error::New(env, closed_ ? "capture is closed" : "capture is already open").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (info.Length() < 5 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsBuffer() ||
        !info[3].IsFunction() || !info[4].IsFunction()) {
      Napi::TypeError::New(env, "open(device: string, options: object, buffer: Buffer, onBatch: function, onError: function)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string device = info[0].As<Napi::String>().Utf8Value();
    Napi::Object options = info[1].As<Napi::Object>();
    Napi::Buffer<uint8_t> buffer = info[2].As<Napi::Buffer<uint8_t>>();

    uint32_t snaplen = 65535;
    uint32_t bufferSize = 0;
    uint32_t timeoutMs = 100;
    bool promisc = true;
    bool immediate = false;
    bool tstampNano = true;
    uint32_t maxPackets = 0;
    std::string filter;
    std::string direction = "inout";
    if (!ReadUint(options, "snaplen", &snaplen) || !ReadUint(options, "bufferSize", &bufferSize) ||
        !ReadUint(options, "timeoutMs", &timeoutMs) || !ReadBool(options, "promisc", &promisc) ||
        !ReadBool(options, "immediate", &immediate) || !ReadBool(options, "tstampNano", &tstampNano) ||
        !ReadString(options, "filter", &filter) || !ReadString(options, "direction", &direction) ||
        !ReadUint(options, "maxPackets", &maxPackets)) {
      return env.Undefined();
    }
    pcap_direction_t dir;
    if (direction == "inout") {
      dir = PCAP_D_INOUT;
    } else if (direction == "in") {
      dir = PCAP_D_IN;
    } else if (direction == "out") {
      dir = PCAP_D_OUT;
    } else {
      Napi::RangeError::New(env, "option direction must be 'in', 'out' or 'inout'").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (snaplen == 0) snaplen = 65535;
    if ((reinterpret_cast<uintptr_t>(buffer.Data()) & 3) != 0) {
      Napi::RangeError::New(env, "the capture buffer must be 4-byte aligned").ThrowAsJavaScriptException();
      return env.Undefined();
    }

    char errbuf[PCAP_ERRBUF_SIZE];
    errbuf[0] = '\0';
    pcap_t* p = pcap_create(device.c_str(), errbuf);
    if (p == nullptr) {
      Napi::Error::New(env, errbuf).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    pcap_set_snaplen(p, static_cast<int>(snaplen));
    pcap_set_promisc(p, promisc ? 1 : 0);
    pcap_set_timeout(p, static_cast<int>(timeoutMs));
    pcap_set_immediate_mode(p, immediate ? 1 : 0);
    if (bufferSize > 0) pcap_set_buffer_size(p, static_cast<int>(bufferSize));
    if (tstampNano) pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // micro stays when unsupported

    int status = pcap_activate(p);
    if (status < 0) {
      std::string msg = ActivateMessage(p, status);
      pcap_close(p);
      Napi::Error::New(env, msg).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string warning = status > 0 ? ActivateMessage(p, status) : std::string();

    auto fail = [&](const std::string& msg) {
      pcap_close(p);
      Napi::Error::New(env, msg).ThrowAsJavaScriptException();
      return env.Undefined();
    };
    if (dir != PCAP_D_INOUT && pcap_setdirection(p, dir) != 0) {
      return fail(std::string("cannot set the capture direction: ") + pcap_geterr(p));
    }
    if (!filter.empty()) {
      bpf_u_int32 net = 0;
      bpf_u_int32 mask = PCAP_NETMASK_UNKNOWN;
      if (pcap_lookupnet(device.c_str(), &net, &mask, errbuf) != 0) mask = PCAP_NETMASK_UNKNOWN;
      struct bpf_program program;
      if (pcap_compile(p, &program, filter.c_str(), 1, mask) != 0) {
        return fail(std::string("bad filter \"") + filter + "\": " + pcap_geterr(p));
      }
      int set = pcap_setfilter(p, &program);
      pcap_freecode(&program);
      if (set != 0) return fail(std::string("cannot set the filter: ") + pcap_geterr(p));
    }
    if (pcap_setnonblock(p, 1, errbuf) != 0) return fail(std::string("cannot set non-blocking mode: ") + errbuf);

    int snapshot = pcap_snapshot(p);
    size_t maxRecord = kRecordHeader + Padded(static_cast<uint32_t>(snapshot > 0 ? snapshot : 262144));
    if (buffer.Length() < maxRecord) {
      return fail("the capture buffer (" + std::to_string(buffer.Length()) + " bytes) is smaller than one full-size packet (" +
                  std::to_string(maxRecord) + " bytes)");
    }
    int fd = pcap_get_selectable_fd(p);
    const struct timeval* requiredTimeout = pcap_get_required_select_timeout(p);
    if (fd < 0 && requiredTimeout == nullptr) return fail("this device offers no descriptor to wait on");

    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return fail("no event loop");
    if (fd >= 0) {
      auto* poll = new uv_poll_t;
      int rc = uv_poll_init(loop, poll, fd);
      if (rc != 0) {
        delete poll;
        return fail(std::string("uv_poll_init: ") + uv_strerror(rc));
      }
      poll->data = this;
      rc = uv_poll_start(poll, UV_READABLE, OnReadable);
      if (rc != 0) {
        uv_close(reinterpret_cast<uv_handle_t*>(poll), OnHandleClosed<uv_poll_t>);
        return fail(std::string("uv_poll_start: ") + uv_strerror(rc));
      }
      poll_ = poll;
    }
    if (requiredTimeout != nullptr) {
      // Some devices must be read on a timer as well as (or instead of) on readiness.
      uint64_t ms = static_cast<uint64_t>(requiredTimeout->tv_sec) * 1000 + static_cast<uint64_t>(requiredTimeout->tv_usec) / 1000;
      if (ms == 0) ms = 1;
      auto* timer = new uv_timer_t;
      uv_timer_init(loop, timer);
      timer->data = this;
      uv_timer_start(timer, OnTimer, ms, ms);
      timer_ = timer;
    }

    pcap_ = p;
    nano_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    dlt_ = pcap_datalink(p);
    linkType_ = LinkTypeOf(dlt_);
    buf_ = buffer.Data();
    bufLen_ = buffer.Length();
    maxRecord_ = maxRecord;
    maxPackets_ = maxPackets;
    used_ = 0;
    count_ = 0;
    bufferRef_ = Napi::Persistent(buffer.As<Napi::Object>());
    onBatch_ = Napi::Persistent(info[3].As<Napi::Function>());
    onError_ = Napi::Persistent(info[4].As<Napi::Function>());
    async_ = std::make_unique<Napi::AsyncContext>(env, "PacketbeatPcapCapture");
    // An open capture stays alive until closed, like a socket.
    Ref();
    refd_ = true;

    Napi::Object result = Napi::Object::New(env);
    result.Set("linkType", Napi::Number::New(env, linkType_));
    result.Set("dlt", Napi::Number::New(env, dlt_));
    result.Set("snaplen", Napi::Number::New(env, snapshot));
    result.Set("precision", Napi::String::New(env, nano_ ? "nano" : "micro"));
    if (!warning.empty()) result.Set("warning", Napi::String::New(env, warning));
    return result;
  }

  // readNow(once?) -> packets delivered: reads what the kernel holds now (a
  // final drain before close; with once, a single block) and calls onBatch
  // synchronously.
  Napi::Value ReadNow(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (inCallback_) {
      Napi::Error::New(env, "readNow() cannot be called from the batch callback").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // readNow(true): one block at most (pacing); readNow(): all the kernel holds.
    bool once = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
    double delivered = 0;
    while (pcap_ != nullptr) {
      bool failed = !Fill();
      if (count_ == 0) {
        if (failed) {
          Napi::Error::New(env, error_).ThrowAsJavaScriptException();
          return env.Undefined();
        }
        break;
      }
      delivered += count_;
      bool full = bufLen_ - used_ < maxRecord_ || BlockFull();
      Deliver(false);
      if (env.IsExceptionPending()) return env.Undefined();
      if (failed) {
        Napi::Error::New(env, error_).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      if (!full || once) break;
    }
    return Napi::Number::New(env, delivered);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (pcap_ == nullptr) {
      Napi::Error::New(env, "capture is not open").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    struct pcap_stat ps;
    std::memset(&ps, 0, sizeof ps);
    if (pcap_stats(pcap_, &ps) != 0) {
      Napi::Error::New(env, pcap_geterr(pcap_)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("received", Napi::Number::New(env, ps.ps_recv));
    out.Set("dropped", Napi::Number::New(env, ps.ps_drop));
    out.Set("ifDropped", Napi::Number::New(env, ps.ps_ifdrop));
    return out;
  }

  Napi::Value LinkType(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), linkType_);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    closed_ = true;
    StopCapture();
    if (!inCallback_) ReleaseJs();
    return info.Env().Undefined();
  }

  // Reads until the kernel has nothing more or the buffer cannot take one
  // more full-size packet. The count given to pcap_dispatch() never exceeds
  // what fits, so no packet is ever taken from the kernel and then lost.
  // False on a pcap error (the message in error_).
  bool Fill() {
    while (pcap_ != nullptr) {
      size_t room = bufLen_ - used_;
      if (room < maxRecord_ || BlockFull()) return true;
      size_t fit = room / maxRecord_;
      if (maxPackets_ != 0 && fit > maxPackets_ - count_) fit = maxPackets_ - count_;
      int cnt = fit > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(fit);
      int r = pcap_dispatch(pcap_, cnt, OnPacket, reinterpret_cast<u_char*>(this));
      if (r == 0 || r == PCAP_ERROR_BREAK) return true;
      if (r < 0) {
        error_ = pcap_geterr(pcap_);
        return false;
      }
    }
    return true;
  }

  bool BlockFull() const { return maxPackets_ != 0 && count_ >= maxPackets_; }

  static void OnPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
    auto* self = reinterpret_cast<Capture*>(user);
    uint32_t capLen = h->caplen;
    size_t need = kRecordHeader + Padded(capLen);
    if (self->used_ + need > self->bufLen_) return;  // cannot happen: caplen <= snapshot
    uint8_t* at = self->buf_ + self->used_;
    uint32_t header[4] = {
        static_cast<uint32_t>(h->ts.tv_sec),
        static_cast<uint32_t>(self->nano_ ? h->ts.tv_usec : h->ts.tv_usec * 1000),
        capLen,
        h->len,
    };
    std::memcpy(at, header, kRecordHeader);
    std::memcpy(at + kRecordHeader, bytes, capLen);
    self->used_ += need;
    self->count_++;
  }

  // Hands the filled block to JavaScript in one call. From the event loop it
  // goes through MakeCallback, so promise jobs and nextTicks run after it.
  void Deliver(bool fromEventLoop) {
    Napi::Env env = Env();
    uint32_t count = count_;
    size_t used = used_;
    count_ = 0;
    used_ = 0;
    inCallback_ = true;
    Napi::Value recv = Value();
    std::initializer_list<napi_value> args = {Napi::Number::New(env, count), Napi::Number::New(env, static_cast<double>(used))};
    if (fromEventLoop) {
      onBatch_.MakeCallback(recv, args, *async_);
    } else {
      onBatch_.Call(recv, args);
    }
    inCallback_ = false;
    if (closed_) ReleaseJs();
  }

  void Report(const std::string& message) {
    // A device that failed stays failed: stop waiting on it until JavaScript closes it.
    if (poll_ != nullptr) uv_poll_stop(poll_);
    if (timer_ != nullptr) uv_timer_stop(timer_);
    Napi::Env env = Env();
    inCallback_ = true;
    onError_.MakeCallback(Value(), {Napi::Error::New(env, message).Value()}, *async_);
    inCallback_ = false;
    if (closed_) ReleaseJs();
  }

  // Called from libuv: a pending JavaScript exception becomes an uncaught exception.
  static void RaisePending(Napi::Env env) {
    if (env.IsExceptionPending()) {
      Napi::Error err = env.GetAndClearPendingException();
      napi_fatal_exception(env, err.Value());
    }
  }

  void ReadFromEventLoop() {
    if (pcap_ == nullptr || inCallback_) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    bool ok = Fill();
    if (count_ > 0) {
      Deliver(true);
      RaisePending(env);
    }
    if (!ok && pcap_ != nullptr) {
      Report(error_);
      RaisePending(env);
    }
  }

  static void OnReadable(uv_poll_t* poll, int status, int events) {
    auto* self = static_cast<Capture*>(poll->data);
    if (status < 0) {
      Napi::HandleScope scope(self->Env());
      self->Report(std::string("waiting for packets failed: ") + uv_strerror(status));
      RaisePending(self->Env());
      return;
    }
    self->ReadFromEventLoop();
  }

  static void OnTimer(uv_timer_t* timer) { static_cast<Capture*>(timer->data)->ReadFromEventLoop(); }

  template <typename T>
  static void OnHandleClosed(uv_handle_t* handle) {
    delete reinterpret_cast<T*>(handle);
  }

  // Stops reading and closes the device. Never called while pcap_dispatch() runs.
  void StopCapture() {
    if (poll_ != nullptr) {
      uv_poll_stop(poll_);
      poll_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnHandleClosed<uv_poll_t>);
      poll_ = nullptr;
    }
    if (timer_ != nullptr) {
      uv_timer_stop(timer_);
      timer_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(timer_), OnHandleClosed<uv_timer_t>);
      timer_ = nullptr;
    }
    if (pcap_ != nullptr) {
      pcap_close(pcap_);
      pcap_ = nullptr;
    }
    buf_ = nullptr;
    bufLen_ = 0;
    used_ = 0;
    count_ = 0;
  }

  // Lets go of the buffer, the callbacks and the self-reference.
  void ReleaseJs() {
    bufferRef_.Reset();
    onBatch_.Reset();
    onError_.Reset();
    async_.reset();
    if (refd_) {
      refd_ = false;
      Unref();
    }
  }

  pcap_t* pcap_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  Napi::ObjectReference bufferRef_;
  Napi::FunctionReference onBatch_;
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::AsyncContext> async_;
  uint8_t* buf_ = nullptr;
  size_t bufLen_ = 0;
  size_t used_ = 0;
  uint32_t count_ = 0;
  size_t maxRecord_ = 0;
  // Packets per call into JavaScript (0: as many as fit), so the event loop
  // gets a turn between blocks; the rest waits in the kernel.
  uint32_t maxPackets_ = 0;
  bool nano_ = false;
  bool inCallback_ = false;
  bool closed_ = false;
  bool refd_ = false;
  int dlt_ = -1;
  int linkType_ = -1;
  std::string error_;
};

std::string AddressText(const struct sockaddr* sa) {
  if (sa == nullptr) return std::string();
  char text[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const struct sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const struct sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  }
  return std::string(text);
}

// deviceList() -> [{ name, description?, addresses: [{ addr, netmask?, broadaddr? }], loopback, up, running }]
Napi::Value DeviceList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, errbuf) != 0) {
    Napi::Error::New(env, errbuf).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array list = Napi::Array::New(env);
  uint32_t i = 0;
  for (pcap_if_t* d = devices; d != nullptr; d = d->next) {
    Napi::Object dev = Napi::Object::New(env);
    dev.Set("name", Napi::String::New(env, d->name));
    if (d->description != nullptr) dev.Set("description", Napi::String::New(env, d->description));
    Napi::Array addresses = Napi::Array::New(env);
    uint32_t j = 0;
    for (pcap_addr_t* a = d->addresses; a != nullptr; a = a->next) {
      std::string addr = AddressText(a->addr);
      if (addr.empty()) continue;
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("addr", Napi::String::New(env, addr));
      std::string netmask = AddressText(a->netmask);
      if (!netmask.empty()) entry.Set("netmask", Napi::String::New(env, netmask));
      std::string broadaddr = AddressText(a->broadaddr);
      if (!broadaddr.empty()) entry.Set("broadaddr", Napi::String::New(env, broadaddr));
      addresses.Set(j++, entry);
    }
    dev.Set("addresses", addresses);
    dev.Set("loopback", Napi::Boolean::New(env, (d->flags & PCAP_IF_LOOPBACK) != 0));
    dev.Set("up", Napi::Boolean::New(env, (d->flags & PCAP_IF_UP) != 0));
    dev.Set("running", Napi::Boolean::New(env, (d->flags & PCAP_IF_RUNNING) != 0));
    list.Set(i++, dev);
  }
  pcap_freealldevs(devices);
  return list;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Capture", Capture::Define(env));
  exports.Set("deviceList", Napi::Function::New(env, DeviceList, "deviceList"));
  exports.Set("libVersion", Napi::String::New(env, pcap_lib_version()));
  return exports;
}

}  // namespace

NODE_API_MODULE(packetbeat_pcap, Init)
