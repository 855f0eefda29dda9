"""An analyzer that skips the policy SDK and answers every call with an empty response.

For ``benchmarks/review_throughput.py``: reviewing with it measures the gRPC round trips alone
(Python's gRPC server here, the reviewer's client, one ``Analyze`` call per resource), the floor
below even the SDK's no-op pack (``benchmarks/noop_pack``).
"""

import sys
from concurrent import futures

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

_MESSAGE_LIMIT = 400 * 1024 * 1024  # AnalyzeStack carries the whole deployment


class BareAnalyzer(analyzer_pb2_grpc.AnalyzerServicer):
    def GetAnalyzerInfo(self, request, context):
        return pb.AnalyzerInfo(name="bare", version="0.0.1", supportsConfig=True)

    def Configure(self, request, context):
        return empty_pb2.Empty()

    def ConfigureStack(self, request, context):
        return pb.AnalyzerStackConfigureResponse()

    def Analyze(self, request, context):
        return pb.AnalyzeResponse()

    def AnalyzeStack(self, request, context):
        return pb.AnalyzeResponse()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                     options=[("grpc.max_receive_message_length", _MESSAGE_LIMIT),
                              ("grpc.max_send_message_length", _MESSAGE_LIMIT)])
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(BareAnalyzer(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
sys.stdout.write(f"{port}\n")
sys.stdout.flush()
server.wait_for_termination()
