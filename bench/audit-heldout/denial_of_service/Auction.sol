pragma solidity ^0.7.6;

contract Auction {
    address payable public leader;
    uint256 public highest;
    address payable[] public bidders;

    function bid() external payable {
        require(msg.value > highest);
        if (leader != address(0)) {
            require(leader.send(highest)); // VULN
        }
        leader = msg.sender;
        highest = msg.value;
        bidders.push(msg.sender);
    }

    function refundEveryone() external {
        for (uint256 i = 0; i < bidders.length; i++) { // VULN
            bidders[i].transfer(1 wei); // VULN
        }
    }
}
