#include "actor/adders/replay_writer.h"

#include <glog/logging.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace entropic {
namespace {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ClientSecurity& security) {
  grpc::ChannelArguments args;
  // Notice a dead peer on an idle stream.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // Replay comes back from a restart in seconds: reconnect at least once a
  // second, not on gRPC's default backoff (growing by 1.6 up to 2 minutes),
  // so writers are back within about a second of its return.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return CreateEntropicChannel(address, security, args);
}

// Refusals that resending cannot fix (credentials do not change while the
// process runs).
bool IsPermanent(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT ||
         code == grpc::StatusCode::UNAUTHENTICATED ||
         code == grpc::StatusCode::FAILED_PRECONDITION ||
         code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::UNIMPLEMENTED;
}

}  // namespace

ReplayWriter::ReplayWriter(const Options& options, ReplayWriterMetrics* metrics)
    : options_(options),
      metrics_(metrics),
      stub_(v1::ReplayService::NewStub(
          MakeChannel(options.address, options.security))) {
  sender_ = std::thread([this] { SendLoop(); });
}

ReplayWriter::~ReplayWriter() {
  Close();
  sender_.join();
}

absl::Status ReplayWriter::Write(v1::TrajectoryChunk chunk,
                                 absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !error_.ok() ||
           static_cast<int>(unacknowledged_.size()) <
               options_.max_unacknowledged;
  };
  if (!mu_.AwaitWithDeadline(absl::Condition(&has_room), deadline)) {
    return absl::DeadlineExceededError(
        "replay has not acknowledged earlier chunks");
  }
  if (!error_.ok()) return error_;
  if (closed_) return absl::CancelledError("the replay writer is closed");
  chunk.set_sequence(next_sequence_++);
  unacknowledged_.push_back(std::move(chunk));
  metrics_->chunks_unacknowledged.Increment();
  return absl::OkStatus();
}

absl::Status ReplayWriter::Flush(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !error_.ok() || unacknowledged_.empty();
  };
  if (!mu_.AwaitWithDeadline(absl::Condition(&drained), deadline)) {
    return absl::DeadlineExceededError(
        absl::StrCat(unacknowledged_.size(),
                     " chunks were still unacknowledged at the deadline"));
  }
  if (!error_.ok()) return error_;
  if (!unacknowledged_.empty()) {
    return absl::CancelledError("the replay writer was closed");
  }
  return absl::OkStatus();
}

void ReplayWriter::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  closed_ = true;
  metrics_->chunks_unacknowledged.Decrement(unacknowledged_.size());
  if (context_ != nullptr) context_->TryCancel();
}

int64_t ReplayWriter::unacknowledged() const {
  absl::MutexLock lock(&mu_);
  return unacknowledged_.size();
}

void ReplayWriter::SendLoop() {
  // Retries at least once a second, as the channel reconnects.
  Backoff::Options retry = options_.backoff;
  retry.max = std::min(retry.max, absl::Seconds(1));
  Backoff backoff(retry);
  bool first = true;
  int failures = 0;  // in a row, to keep the log short while replay is down
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return;
    }
    if (!first) metrics_->reconnects.Increment();
    first = false;
    const grpc::Status status = RunStream();
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    if (IsPermanent(status.error_code())) {
      // Also how a job's end looks from here (its tables are gone), so the
      // owner decides whether to complain.
      error_ = FromGrpcStatus(status);
      return;
    }
    if (status.ok()) {
      backoff.Reset();
      failures = 0;
    } else if (failures++ % 20 == 0) {
      LOG(WARNING) << "replay stream to " << options_.address
                   << " broke: " << status.error_message()
                   << "; reconnecting with backoff";
    }
    // Sleep without holding up Close(): wait on the lock for `closed_`.
    mu_.AwaitWithTimeout(absl::Condition(&closed_), backoff.NextDelay());
  }
}

grpc::Status ReplayWriter::RunStream() {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return grpc::Status::CANCELLED;
    context_ = &context;
    sent_on_stream_ = 0;
    stream_broken_ = false;
  }
  auto stream = stub_->Insert(&context);

  // Acknowledgements arrive in the order chunks were sent.
  std::thread reader([&] {
    v1::InsertResponse ack;
    while (stream->Read(&ack)) {
      absl::MutexLock lock(&mu_);
      if (unacknowledged_.empty() || sent_on_stream_ == 0 ||
          unacknowledged_.front().sequence() != ack.sequence()) {
        LOG(ERROR) << "replay acknowledged sequence " << ack.sequence()
                   << " out of order; reconnecting";
        // Without a cancel, Finish would wait on a stream nobody reads.
        context.TryCancel();
        break;
      }
      unacknowledged_.pop_front();
      --sent_on_stream_;
      if (!closed_) metrics_->chunks_unacknowledged.Decrement();
      metrics_->chunks_acknowledged.Increment();
    }
    absl::MutexLock lock(&mu_);
    stream_broken_ = true;
  });

  bool writes_open = true;
  while (writes_open) {
    v1::InsertRequest request;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closed_ || stream_broken_ ||
               sent_on_stream_ < unacknowledged_.size();
      };
      mu_.Await(absl::Condition(&ready));
      if (closed_ || stream_broken_) break;
      *request.mutable_chunk() = unacknowledged_[sent_on_stream_];
      ++sent_on_stream_;
    }
    // Blocks only on gRPC flow control, on this thread of our own.
    writes_open = stream->Write(request);
    if (writes_open) metrics_->chunks_sent.Increment();
  }
  stream->WritesDone();
  // The reader ends when replay finishes the stream, or when Close() cancels.
  reader.join();
  const grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  return status;
}

}  // namespace entropic
